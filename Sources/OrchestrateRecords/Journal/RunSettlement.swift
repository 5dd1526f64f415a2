import FoundationEssentials

/// What a run whose orchestrator died really did: its last complete record
/// (up to a second old) brought up to date with its journal. Tasks that
/// completed or failed keep that outcome with their attempts, exit codes
/// and times; tasks that were running are `failed` ("orchestrator died
/// while it ran": nobody saw how they ended); tasks never started are
/// `skipped`. Replaying is idempotent: the record may already hold some of
/// what the journal says.
package enum RunSettlement {
  package static let diedWhileRunning = "orchestrator died while it ran"

  /// `tail` reads the end of a failed task's log when no error was kept.
  package static func settle(
    _ record: RunRecord, journal: [JournalEntry], killedProcesses: Int = 0,
    cancelledJobs: Int = 0, tail: (TaskRecord) -> String? = { _ in nil }
  ) -> RunRecord {
    var record = record
    var position: [String: Int] = [:]
    for (index, task) in record.tasks.enumerated() { position[task.name] = index }
    var lastSign = record.updatedAt
    var lost: (status: RunStatus, exitCode: Int32, reason: String)?
    var leftovers: [String: Int] = [:]
    // Pauses that ended, and one the orchestrator died in.
    var pausedSeconds: Double?
    var pausedSince = record.pausedSince
    for entry in journal {
      lastSign = max(lastSign, entry.date)
      switch entry {
      case .started(let name, let number, let pid, let ticks, let at, _):
        guard let index = position[name] else { continue }
        record.tasks[index].apply(start: number, pid: pid, ticks: ticks, at: at)
      case .submitted(let name, let number, let jobId, _, let at):
        guard let index = position[name] else { continue }
        record.tasks[index].apply(submit: number, jobId: jobId, at: at)
      case .exited(let name, let number, let at, let duration, let status, let timedOut, let usage):
        guard let index = position[name] else { continue }
        record.tasks[index].apply(
          exit: number, at: at, duration: duration, status: status, timedOut: timedOut,
          usage: usage)
      case .finished(let name, let status, let at, let reason):
        guard let index = position[name] else { continue }
        record.tasks[index].apply(finish: status, at: at, reason: reason)
      case .leftovers(let name, _, let count, _, _):
        // Counts come from a file on disk: saturate rather than trap on a forged one.
        let (sum, overflow) = leftovers[name, default: 0].addingReportingOverflow(count)
        leftovers[name] = overflow ? Int.max : sum
      case .recordLost(let status, let exitCode, _, let reason):
        lost = (status, exitCode, reason)
      case .paused(let at, _):
        pausedSince = at
      case .resumed(_, let seconds):
        pausedSeconds = (pausedSeconds ?? 0) + seconds
        pausedSince = nil
      }
    }
    for (name, count) in leftovers {
      guard let index = position[name] else { continue }
      record.tasks[index].leftoverProcesses = max(record.tasks[index].leftoverProcesses ?? 0, count)
    }
    // A dead run's live samples are the last word on its attempts' storage
    // bytes (the journal keeps none); the record being final, they go.
    for index in record.tasks.indices {
      for number in record.tasks[index].attempts.indices
      where record.tasks[index].attempts[number].liveResources != nil {
        let added = record.tasks[index].attempts[number].closeSampling(
          readBytes: nil, writeBytes: nil)
        if record.tasks[index].attempts[number].readBytes != nil {
          record.tasks[index].readBytes = (record.tasks[index].readBytes ?? 0) + added.read
        }
        if record.tasks[index].attempts[number].writeBytes != nil {
          record.tasks[index].writeBytes = (record.tasks[index].writeBytes ?? 0) + added.written
        }
      }
    }
    for index in record.tasks.indices where !record.tasks[index].status.isFinished {
      record.tasks[index].settleUnfinished()
      if record.tasks[index].status == .failed, record.tasks[index].error == nil {
        record.tasks[index].error = tail(record.tasks[index])
      }
    }
    record.counts = TaskCounts(record.tasks)
    record.totals = CounterTotal.totals(of: record.tasks)
    record.finishedAt = lastSign
    record.durationSeconds = lastSign.timeIntervalSince(record.startedAt)
    if let lost {
      // It ended and said so; only its record could not be written.
      record.status = .failed
      record.exitCode = lost.exitCode
      record.reason =
        "final record could not be written (\(lost.reason)); the run ended \(lost.status.rawValue)"
    } else {
      record.status = .abandoned
      record.reason =
        "orchestrator (pid \(record.pid) on \(record.host)) died before the run finished"
    }
    // The journal holds every pause; the record only those it had seen.
    if let pausedSeconds { record.pausedSeconds = max(record.pausedSeconds ?? 0, pausedSeconds) }
    record.pausedSince = nil
    if let pausedSince {
      record.reason! += "; it was paused since \(Timestamp.format(pausedSince))"
    }
    if killedProcesses > 0 {
      record.reason! += "; killed \(killedProcesses) process(es) it left running"
    }
    if cancelledJobs > 0 {
      record.reason! += "; cancelled \(cancelledJobs) Slurm job(s) it left queued or running"
    }
    return record
  }
}

extension TaskRecord {
  fileprivate mutating func apply(start number: Int, pid: Int32, ticks: UInt64?, at: Date) {
    apply(launch: number, at: at) { attempt in
      attempt.pid = pid
      attempt.processStartTicks = attempt.processStartTicks ?? ticks
    }
  }

  fileprivate mutating func apply(submit number: Int, jobId: String, at: Date) {
    apply(launch: number, at: at) { $0.jobId = jobId }
  }

  /// An attempt began (a process started, a job was submitted): `identify`
  /// sets what names it.
  private mutating func apply(
    launch number: Int, at: Date, identify: (inout AttemptRecord) -> Void
  ) {
    if let index = attempts.firstIndex(where: { $0.number == number }) {
      identify(&attempts[index])
      if attempts[index].finishedAt != nil || status.isFinished { return }
    } else {
      var attempt = AttemptRecord(number: number, startedAt: at)
      identify(&attempt)
      attempts.append(attempt)
      attempts.sort { $0.number < $1.number }
    }
    if startedAt == nil { startedAt = at }
    if !status.isFinished {
      status = .running
      reason = nil
    }
  }

  fileprivate mutating func apply(
    exit number: Int, at: Date, duration: Double, status end: TerminationStatus, timedOut: Bool,
    usage: ResourceUsage
  ) {
    let index: Int
    if let found = attempts.firstIndex(where: { $0.number == number }) {
      index = found
    } else {
      attempts.append(AttemptRecord(number: number, startedAt: at.addingTimeInterval(-duration)))
      attempts.sort { $0.number < $1.number }
      index = attempts.firstIndex { $0.number == number }!
    }
    if startedAt == nil { startedAt = attempts[index].startedAt }
    guard attempts[index].finishedAt == nil else { return }
    attempts[index].finishedAt = at
    attempts[index].durationSeconds = duration
    attempts[index].timedOut = timedOut
    attempts[index].peakRssBytes = usage.peakRSSBytes
    attempts[index].cpuUserSeconds = usage.userSeconds
    attempts[index].cpuSystemSeconds = usage.systemSeconds
    switch end {
    case .exited(let code): attempts[index].exitCode = code
    case .signaled(let signal): attempts[index].signal = signal
    }
    exitCode = attempts[index].exitCode
    signal = attempts[index].signal
    peakRssBytes = max(peakRssBytes ?? 0, usage.peakRSSBytes)
    cpuUserSeconds = (cpuUserSeconds ?? 0) + usage.userSeconds
    cpuSystemSeconds = (cpuSystemSeconds ?? 0) + usage.systemSeconds
    // Its outcome follows in a `finished` line, or a retry was due.
    if !status.isFinished { status = .pending }
  }

  fileprivate mutating func apply(finish end: TaskStatus, at: Date, reason: String?) {
    status = end
    self.reason = reason
    finishedAt = at
    durationSeconds = startedAt.map { at.timeIntervalSince($0) }
  }

  /// A task the dead orchestrator never saw to its end.
  fileprivate mutating func settleUnfinished() {
    guard let last = attempts.indices.last else {
      status = .skipped
      reason = "run abandoned: orchestrator died before it started"
      return
    }
    status = .failed
    if attempts[last].finishedAt == nil {
      attempts[last].error = RunSettlement.diedWhileRunning
      reason = RunSettlement.diedWhileRunning
    } else {
      // Its attempt ended and a retry was due.
      let attempt = attempts[last]
      if attempt.exitCode == 0 && !attempt.timedOut { status = .completed }
      reason = status == .completed ? nil : "retry not started: orchestrator died"
      finishedAt = attempt.finishedAt
      durationSeconds = startedAt.flatMap { start in
        attempt.finishedAt.map { $0.timeIntervalSince(start) }
      }
    }
  }
}
