/// At the end of a run, under the pipeline's lock: the events committed
/// since the last snapshot are folded into a new one, so that readers apply
/// only what came after.
enum ItemCompaction {
  static func compact(pipeline: Pipeline, layout: RootLayout, events: EventLog) {
    let ledger = ItemLedger(layout: layout, pipeline: pipeline.name)
    guard ledger.exists else { return }
    StaleTemporaryFiles.remove(in: ledger.directory)
    StaleTemporaryFiles.remove(in: ledger.directory + "/segments")
    do {
      _ = try ledger.compact(settings: pipeline.items)
    } catch {
      events.problem("item ledger not compacted (its events are kept): \(error)")
    }
  }
}
