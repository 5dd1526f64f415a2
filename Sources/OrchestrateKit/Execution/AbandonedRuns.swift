import Foundation

/// Records left saying `running` by an orchestrator that died (kill -9, power
/// loss). The run holding the pipeline's lock marks them, so each is settled
/// once and for all by the next run.
enum AbandonedRuns {
  /// Newer records are the only ones that can still say `running`: each run
  /// settles those before it, so looking at the last few is enough.
  static let recordsToCheck = 50

  /// Marks abandoned runs in `directory`; returns their run ids.
  static func mark(in directory: String) -> [String] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
      return []
    }
    let candidates = names.filter { $0.hasPrefix("run_") && $0.hasSuffix(".json") }
      .sorted { startTime($0) > startTime($1) }
    var marked: [String] = []
    for name in candidates.prefix(recordsToCheck) {
      let path = "\(directory)/\(name)"
      guard let data = FileManager.default.contents(atPath: path),
        var record = try? RecordCoding.decoder().decode(RunRecord.self, from: data),
        record.status == .running, ProcessIdentity(of: record).liveness() == .gone
      else { continue }
      settle(&record)
      if (try? AtomicFile.write(try RecordCoding.encoder().encode(record), to: path)) != nil {
        marked.append(record.runId)
      }
    }
    return marked
  }

  private static func startTime(_ fileName: String) -> Date {
    RunID(String(fileName.dropLast(".json".count)))?.startedAt ?? .distantPast
  }

  static func settle(_ record: inout RunRecord) {
    let reason = "orchestrator (pid \(record.pid) on \(record.host)) died before the run finished"
    record.status = .abandoned
    record.reason = reason
    record.finishedAt = record.updatedAt
    record.durationSeconds = record.updatedAt.timeIntervalSince(record.startedAt)
    for index in record.tasks.indices where !record.tasks[index].status.isFinished {
      record.tasks[index].status = record.tasks[index].status == .running ? .cancelled : .skipped
      record.tasks[index].reason = "run abandoned"
    }
    record.counts = TaskCounts(record.tasks)
  }
}
