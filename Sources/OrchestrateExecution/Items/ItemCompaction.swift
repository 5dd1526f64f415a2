/// At the end of a run, under the pipeline's lock: the events committed
/// since the last snapshot are folded into a new one, so that readers apply
/// only what came after.
enum ItemCompaction {
  static func compact(pipeline: String, layout: RootLayout, events: EventLog) {
    let ledger = ItemLedger(layout: layout, pipeline: pipeline)
    guard ledger.exists else { return }
    StaleTemporaryFiles.remove(in: ledger.directory)
    StaleTemporaryFiles.remove(in: ledger.directory + "/segments")
    do {
      _ = try ledger.compact()
    } catch {
      events.problem("item ledger not compacted (its events are kept): \(error)")
    }
  }
}
