import FoundationEssentials

/// A run whose logs are gone while its record stays: rotation deletes logs
/// after `logs.delete_after` (30 days by default) and records only under
/// `metrics.delete_after` (never by default), so status and the report go on
/// showing runs whose logs no longer exist. `logs` says so, and when,
/// instead of "no run".
struct DeletedRunLogs {
  let layout: RootLayout
  let run: RunID
  let record: RunRecord

  /// The run's record, when one of the pipelines under `metrics/` has it.
  static func find(_ name: String, layout: RootLayout) -> DeletedRunLogs? {
    // A name from the command line becomes part of a path only as a run id.
    guard let run = RunID(name) else { return nil }
    for pipeline in layout.pipelinesWithRecords() {
      if let record = RecordCoding.readRecord(at: layout.metricsFile(pipeline: pipeline, run: run)),
        record.runId == name
      {
        return DeletedRunLogs(layout: layout, run: run, record: record)
      }
    }
    return nil
  }

  /// How many later runs' own logs are searched for the line of the
  /// rotation that deleted these.
  static let runsSearched = 4

  /// One line: whether rotation deleted the logs, and when.
  func explanation(logs: RunLogs, now: Date = Date()) -> String {
    let pipeline = record.pipeline
    let gone = "the logs of run '\(run.text)'"
    let kept = "its record is still in metrics/\(pipeline)/"
    let policy = policy()
    let setting = policy.map {
      "logs.delete_after: \($0.deleteAfter.map(DurationText.format) ?? "never")"
    }
    let due = policy?.deleteAfter.map { run.startedAt.addingTimeInterval($0.seconds) }
    // The rotation's own line is the truth, whatever the policy says now.
    if let (time, rotatingRun) = rotationLine(from: due ?? run.startedAt, logs: logs) {
      return "\(gone) were deleted by rotation at \(time), at the end of run '\(rotatingRun)'"
        + "; \(kept)"
    }
    guard let policy, let setting else {
      return "\(gone) are gone from logs/\(pipeline)/ and the log policy of pipeline "
        + "'\(pipeline)' cannot be read to tell why; \(kept)"
    }
    guard let deleteAfter = policy.deleteAfter, let due else {
      return "\(gone) are gone from logs/\(pipeline)/, but not by rotation: pipeline "
        + "'\(pipeline)' never deletes logs (\(setting)); \(kept)"
    }
    guard due <= now else {
      return "\(gone) are gone from logs/\(pipeline)/, but not by rotation: pipeline "
        + "'\(pipeline)' keeps them until \(Timestamp.format(due)) (\(setting)); \(kept)"
    }
    return "\(gone) were deleted by rotation after \(Timestamp.format(due)), once older than "
      + "\(DurationText.format(deleteAfter)) (logs.delete_after); \(kept)"
  }

  /// The pipeline's log policy: from the file the run ran, else as
  /// `rotate` finds it in `<root>/pipelines/`.
  private func policy() -> LogPolicy? {
    if let pipeline = try? PipelineLoader.load(file: record.pipelineFile),
      pipeline.name == record.pipeline
    {
      return pipeline.logPolicy
    }
    return try? PipelineLogPolicies(directory: "\(layout.root)/pipelines").policy(
      of: record.pipeline
    ).policy
  }

  /// The line a later run's own log holds about deleting these logs (each
  /// run rotates when it ends), with its time: searched in the runs from
  /// around `start` (the due time) whose logs are still a directory (an
  /// archive would be decompressed to read it; `rotate` leaves no such line).
  private func rotationLine(from start: Date, logs: RunLogs) -> (String, String)? {
    let later = logs.allRuns(pipeline: record.pipeline).reversed().filter {
      $0.startedAt > run.startedAt
    }
    // The last run started before the due time may have ended after it.
    let first = max(0, (later.firstIndex { $0.startedAt >= start } ?? later.count) - 1)
    let needle = " logs: deleted \(run.text)"
    for candidate in later.dropFirst(first).prefix(Self.runsSearched)
    where candidate.archive == nil {
      guard let data = logs.smallFile("orchestrate.log", of: candidate) else { continue }
      for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
        // `<time> logs: deleted run_…/` or `… run_….tar.gz`, not a longer run id.
        guard let space = line.firstIndex(of: " ") else { continue }
        let rest = line[space...]
        guard rest.hasPrefix(needle), let next = rest.dropFirst(needle.count).first,
          next == "/" || next == "."
        else { continue }
        return (String(line[..<space]), candidate.name)
      }
    }
    return nil
  }
}
