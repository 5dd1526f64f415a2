import Foundation

/// Records left saying `running` by an orchestrator that died (kill -9, power
/// loss). The run holding the pipeline's lock marks them, so each is settled
/// once and for all by the next run.
enum AbandonedRuns {
  /// Marks abandoned runs among `runs` (digests of the records in
  /// `directory`); returns their run ids. Only records that say `running`
  /// are read in full.
  static func mark(_ runs: [RunDigest], in directory: String) -> [String] {
    var marked: [String] = []
    for digest in runs where digest.status == .running {
      let path = "\(directory)/\(digest.file)"
      guard let data = FileManager.default.contents(atPath: path),
        var record = try? RecordCoding.decoder().decode(RunRecord.self, from: data),
        record.status == .running, ProcessIdentity(of: record).liveness() == .gone
      else { continue }
      let killed = killLeftovers(of: record)
      settle(&record)
      if killed > 0 { record.reason! += "; killed \(killed) process group(s) it left running" }
      if (try? AtomicFile.write(RecordJSON.encode(record), to: path)) != nil {
        marked.append(record.runId)
      }
    }
    return marked
  }

  /// Kills what the dead orchestrator's running tasks left behind: their
  /// process groups outlive it. Returns how many groups were killed.
  static func killLeftovers(of record: RunRecord) -> Int {
    guard record.bootId == nil || record.bootId == ProcessIdentity.currentBootId(),
      record.host == ProcessIdentity.hostName()
    else { return 0 }
    var killed = 0
    for task in record.tasks where task.status == .running {
      guard let attempt = task.attempts.last, let group = attempt.pid,
        ChildProcess.groupExists(group)
      else { continue }
      // The group id is the leader's pid; while the group exists that number
      // cannot be handed to a new group. If the leader is alive it must be
      // the same process (same start time); if it is gone, the members are its.
      if let ticks = attempt.processStartTicks, let now = ProcessIdentity.startTicks(of: group),
        now != ticks
      {
        continue
      }
      if ChildProcess.signalGroup(group, SIGKILL) { killed += 1 }
    }
    return killed
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
