import FoundationEssentials

/// A dead run's items, settled as its record is: the events of every
/// attempt its journal says ended are in its segment (those the orchestrator
/// read but had not committed are read again from the attempt's items file,
/// stamped with the attempt's end); those of attempts that never ended are
/// discarded, as their attempt is settled failed.
enum ItemRecovery {
  /// Commits what is missing; returns how many attempts' events were recovered.
  @discardableResult
  static func recover(
    run: String, pipeline: String, journal: [JournalEntry], layout: RootLayout
  ) -> Int {
    guard let runID = RunID(run) else { return 0 }
    let ledger = ItemLedger(layout: layout, pipeline: pipeline)
    let segment = ledger.segmentPath(run: run)
    let committed = ItemSegment.read(path: segment, run: run).attempts
    let writer = ItemSegmentWriter(path: segment)
    let logs = layout.runLogDirectory(pipeline: pipeline, run: runID)
    var recovered = 0
    for entry in journal {
      guard case .exited(let task, let attempt, let at, _, _, _, _) = entry,
        !committed.contains(ItemSegment.AttemptKey(task: task, attempt: attempt)),
        // Read from a file: a name that could leave the run's log folder is refused.
        !task.isEmpty, !task.hasPrefix("."), !task.contains("/"), task.utf8.count <= 300
      else { continue }
      let reader = ItemReportReader(
        path: "\(logs)/\(task).\(attempt).items.jsonl", run: run, task: task, attempt: attempt)
      reader.drain(now: at)
      guard !reader.events.isEmpty else { continue }
      if writer.commit(reader.events, task: task, attempt: attempt) == nil { recovered += 1 }
    }
    return recovered
  }
}
