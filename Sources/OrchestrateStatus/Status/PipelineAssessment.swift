import FoundationEssentials

/// Judges one pipeline from its run digests: the statistics, what is
/// running, stuck or abandoned, and the health level with its reasons.
/// Pure apart from the two closures, so every rule is testable on synthetic
/// records.
public struct PipelineAssessment {
  /// A baseline needs this many earlier completed runs of the task or run.
  public static let minimumHistory = 5
  /// How many recent completed runs make a baseline.
  public static let historyRuns = 20
  /// Stuck when there is no history to judge by.
  public static let defaultStuckAfter: Double = 6 * 3600
  /// Never stuck sooner than this: 3× the p95 of a task that takes a second
  /// would cry wolf at every hiccup of a loaded machine.
  public static let minimumStuckAfter: Double = 60
  /// A run paused longer than this is a warning, unless `paused_after` says otherwise.
  public static let defaultPausedAfter: Double = 3600
  /// A task is slow at this factor of its usual duration...
  public static let slowFactor = 2.0
  /// ...and only when it took at least this much longer.
  public static let slowMinimumExcess: Double = 1

  public var name: String
  /// Oldest first.
  public var runs: [RunDigest]
  public var now: Date
  public var windowDays: Int
  /// The full record behind a digest (for running runs and the newest one).
  public var record: (RunDigest) -> RunRecord?
  public var liveness: (RunRecord) -> ProcessIdentity.Liveness
  /// How a run whose orchestrator is gone really ended (from its journal).
  public var settle: (RunRecord) -> RunRecord
  /// The pipeline's file, for one without runs: its schedule and max_age.
  public var declared: DeclaredPipeline?
  /// The environment these runs share (nil: none), and whether runs are
  /// owed there (its schedule and max_age apply): false for one only ever
  /// run by hand beside a scheduled one.
  public var environment: String?
  public var expectsRuns = true
  /// How long a process of this boot (its start ticks and boot id) has run,
  /// by the boot-time clock; nil for one of another boot or host.
  public var secondsRunning: (_ startTicks: UInt64?, _ bootId: String?) -> Double?

  public init(
    name: String, runs: [RunDigest], now: Date, windowDays: Int,
    record: @escaping (RunDigest) -> RunRecord?,
    liveness: @escaping (RunRecord) -> ProcessIdentity.Liveness = {
      ProcessIdentity(of: $0).liveness()
    },
    settle: @escaping (RunRecord) -> RunRecord = { $0 },
    secondsRunning: @escaping (UInt64?, String?) -> Double? = ProcessIdentity.secondsRunning,
    declared: DeclaredPipeline? = nil
  ) {
    self.settle = settle
    self.declared = declared
    self.secondsRunning = secondsRunning
    self.name = name
    self.runs = runs
    self.now = now
    self.windowDays = windowDays
    self.record = record
    self.liveness = liveness
  }

  /// Seconds since 1970 at which a window of `days` ending `now` starts.
  static func windowStart(now: Date, days: Int) -> Double {
    now.timeIntervalSince1970 - Double(days) * 86400
  }

  public func assess() -> PipelineStatus {
    let newest = runs.last.flatMap(record)
    // Runs whose orchestrator died, as their journals tell it.
    var settled: [String: RunRecord] = [:]
    // The newest record is read once, whichever rule needs it.
    func fullRecord(_ digest: RunDigest) -> RunRecord? {
      if let found = settled[digest.runId] { return found }
      return digest.runId == newest?.runId ? newest : record(digest)
    }
    let history = CompletedHistory(runs)
    let stuckAfter =
      newest?.stuckAfterSeconds ?? Self.stuckThreshold(history.runDurations)
      ?? Self.defaultStuckAfter
    // The newest record carries the settings it ran with; without one, the file.
    let schedule = newest == nil ? declared?.schedule : newest?.schedule
    let timezone = newest == nil ? declared?.timezone : newest?.timezone
    let expectation =
      expectsRuns
      ? ScheduleExpectation(
        schedule: schedule, timezone: timezone,
        graceSeconds: newest == nil ? declared?.graceSeconds : newest?.scheduleGraceSeconds)
      : nil
    let maxAge =
      expectsRuns
      ? (newest == nil ? declared?.maxAgeSeconds : newest?.maxAgeSeconds)
        ?? expectation?.maxAge(now: now) ?? ScheduleExpectation.unscheduledMaxAge
      : nil

    var running: [PipelineStatus.RunningRun] = []
    var abandoned: [PipelineStatus.AbandonedRun] = []
    // The runs as they ended: all of them but the few that say `running`,
    // which are settled in place or left out. Years of runs are not copied
    // when none does.
    var finished = runs
    var inProgress: [Int] = []
    for index in runs.indices where runs[index].status == .running {
      let digest = runs[index]
      guard let live = fullRecord(digest) else {
        inProgress.append(index)
        continue
      }
      if let reason = abandonment(of: live, stuckAfter: stuckAfter) {
        let ended = liveness(live) == .gone ? settle(live) : live
        settled[digest.runId] = ended
        if ended.status != .running, ended.status != .abandoned {
          // It ended; only its final record could not be written.
          finished[index] = RunDigest(ended, file: digest.file)
          continue
        }
        abandoned.append(
          .init(
            runId: live.runId, startedAt: live.startedAt, updatedAt: live.updatedAt,
            host: live.host, pid: live.pid, reason: reason))
        finished[index].status = .abandoned
      } else {
        running.append(runningRun(live, stuckAfter: stuckAfter, history: history))
        inProgress.append(index)
      }
    }
    for index in inProgress.reversed() { finished.remove(at: index) }

    let windowStart = Self.windowStart(now: now, days: windowDays)
    let inWindow = finished.filter { $0.startedAt >= windowStart }
    let lastRun = finished.last
    let lastRecord = lastRun.flatMap(fullRecord)
    let tasks = taskStatistics(inWindow, history: history)
    let lastSuccess = finished.last { $0.status == .completed }
    var status = PipelineStatus(
      name: name, environment: environment, schedule: schedule, timezone: timezone,
      nextDue: expectation?.schedule.next(after: now),
      missed: expectation?.missedRun(
        starts: Array(runs.lazy.filter { !$0.sourceFiltered }.map(\.startedAt)), now: now,
        since: runs.isEmpty ? declared?.since : nil),
      maxAgeSeconds: maxAge,
      stuckAfterSeconds: stuckAfter,
      minSuccessRate: newest?.minSuccessRate ?? Pipeline.defaultMinSuccessRate,
      health: Health(problems: []), totalRuns: runs.count,
      lastRun: lastRun.map { lastRunSummary($0, record: lastRecord) },
      window: window(inWindow, runs: runs.lazy.filter { $0.startedAt >= windowStart }.count),
      lastSuccess: lastSuccess.map {
        .init(
          runId: $0.runId, startedAt: date($0.startedAt),
          ageSeconds: now.timeIntervalSince1970 - $0.startedAt)
      },
      failingSince: failingStreak(finished),
      running: running, abandoned: abandoned, tasks: tasks)
    status.pausedAfterSeconds = newest?.pausedAfterSeconds ?? Self.defaultPausedAfter
    status.health = HealthRules.judge(status, now: now)
    return status
  }

  /// Why a record that says `running` is not: its process is gone, or (on
  /// another host, where nobody can look) it has not been updated for
  /// longer than a run may take.
  func abandonment(of record: RunRecord, stuckAfter: Double) -> String? {
    switch liveness(record) {
    case .alive: return nil
    case .gone: return "orchestrator pid \(record.pid) on \(record.host) is gone"
    case .unknown:
      let silent = now.timeIntervalSince(record.updatedAt)
      guard silent > stuckAfter else { return nil }
      return "no update from \(record.host) for \(DurationDisplay.summary(silent))"
    }
  }

  func runningRun(_ record: RunRecord, stuckAfter: Double, history: CompletedHistory)
    -> PipelineStatus.RunningRun
  {
    // By the boot-time clock where the run's processes are of this boot: a
    // wall clock stepped since the start must not make a run look stuck.
    let elapsed =
      secondsRunning(record.processStartTicks, record.bootId)
      ?? now.timeIntervalSince(record.startedAt)
    // Time paused is not time stuck: a paused run is never stuck, and the
    // time it was paused does not count towards it afterwards.
    let paused = Self.pausedSeconds(of: record, now: now)
    let isPaused = record.pausedSince != nil
    func taskElapsed(_ task: TaskRecord) -> Double {
      secondsRunning(task.attempts.first?.processStartTicks, record.bootId)
        ?? task.startedAt.map { now.timeIntervalSince($0) } ?? 0
    }
    let estimate = RunProgressEstimate(
      record, now: now, history: taskHistories(durations: history.taskDurations),
      elapsed: taskElapsed)
    let tasks = record.tasks.filter { $0.status == .running }.map { task in
      let taskElapsed = taskElapsed(task)
      let taskActive = max(0, taskElapsed - (paused ?? 0))
      let durations = history.taskDurations[task.name] ?? []
      let threshold = Self.stuckThreshold(durations) ?? stuckAfter
      // A job still in its queue has not started: it is not stuck.
      if let attempt = task.attempts.last, attempt.isWaitingInQueue {
        let waited = now.timeIntervalSince(attempt.startedAt)
        return PipelineStatus.RunningTask(
          name: task.name, elapsedSeconds: waited, progress: nil, etaSeconds: nil,
          stuckAfterSeconds: threshold, stuck: false, queued: true)
      }
      let own = estimate.tasks[task.name]
      return PipelineStatus.RunningTask(
        name: task.name, elapsedSeconds: taskElapsed, progress: task.progress,
        etaSeconds: own?.remaining, phaseNumber: own?.phaseNumber, phaseCount: own?.phaseCount,
        stuckAfterSeconds: threshold, stuck: !isPaused && taskActive > threshold,
        resources: task.attempts.last?.liveResources)
    }
    return .init(
      runId: record.runId, startedAt: record.startedAt, elapsedSeconds: elapsed,
      host: record.host, pid: record.pid,
      stuck: !isPaused
        && (elapsed - (paused ?? 0) > stuckAfter || tasks.contains(where: \.stuck)),
      pausedSince: record.pausedSince, pausedSeconds: paused,
      tasksTotal: record.tasks.count,
      tasksFinished: record.tasks.filter(\.status.isFinished).count,
      etaSeconds: estimate.remaining, workDone: estimate.workDone, tasks: tasks)
  }

  /// Each task's usual duration (over the digests' recent completed runs)
  /// and its phases' (over the records of the newest finished runs: the
  /// digests do not hold phases). Read only while a run is going on.
  func taskHistories(durations: [String: [Double]]) -> [String: TaskHistory] {
    let recent = runs.reversed().lazy.filter { $0.status != .running }
      .prefix(RecentHistory.runs).compactMap(record)
    var histories = RecentHistory.tasks(of: Array(recent))
    for (name, seconds) in durations {
      histories[name, default: TaskHistory()].seconds = Percentile.of(seconds, 50)
    }
    return histories
  }

  /// The time `record`'s run has spent paused up to `now`, the current
  /// pause included; nil when it never paused.
  static func pausedSeconds(of record: RunRecord, now: Date) -> Double? {
    guard record.pausedSeconds != nil || record.pausedSince != nil else { return nil }
    return (record.pausedSeconds ?? 0)
      + (record.pausedSince.map { max(0, now.timeIntervalSince($0)) } ?? 0)
  }

  /// 3× the p95 of the recent durations, or nil without enough of them.
  static func stuckThreshold(_ durations: [Double]) -> Double? {
    guard durations.count >= minimumHistory, let p95 = Percentile.of(durations, 95) else {
      return nil
    }
    return max(3 * p95, minimumStuckAfter)
  }

  func window(_ finished: [RunDigest], runs: Int) -> PipelineStatus.Window {
    let completed = finished.filter { $0.status == .completed }
    let durations = completed.compactMap(\.durationSeconds).sorted()
    return .init(
      days: windowDays, runs: runs, finished: finished.count, completed: completed.count,
      successRate: finished.isEmpty ? nil : Double(completed.count) / Double(finished.count),
      durationP50Seconds: Percentile.of(sorted: durations, 50),
      durationP95Seconds: Percentile.of(sorted: durations, 95))
  }

  func lastRunSummary(_ digest: RunDigest, record: RunRecord?) -> PipelineStatus.LastRun {
    let tasks =
      record?.tasks.map { ($0.name, $0.status, $0.reason, $0.phases?.failed?.name) }
      ?? digest.tasks.map { ($0.name, $0.status, nil, nil) }
    return .init(
      runId: digest.runId, status: digest.status, startedAt: date(digest.startedAt),
      // Tasks `when:` left out were not wanted: neither counted nor missing.
      durationSeconds: digest.durationSeconds,
      tasksTotal: tasks.filter { $0.1 != .notWanted }.count, reason: record?.reason,
      notCompleted: tasks.filter { !$0.1.isDone }.map {
        .init(name: $0.0, status: $0.1, reason: $0.2, failedPhase: $0.3)
      },
      anomalies: record?.anomalies ?? [], rerunOf: record?.rerunOf)
  }

  func failingStreak(_ finished: [RunDigest]) -> PipelineStatus.FailingStreak? {
    let streak = finished.reversed().prefix { $0.status != .completed }
    guard let oldest = streak.last, finished.last?.status != .cancelled else { return nil }
    return .init(runId: oldest.runId, startedAt: date(oldest.startedAt), runs: streak.count)
  }

  func taskStatistics(_ finished: [RunDigest], history: CompletedHistory)
    -> [PipelineStatus.TaskStatistics]
  {
    struct Tally {
      var runs = 0
      var failures = 0
      var retried = 0
      var durations: [Double] = []
      var peakRss: [Double] = []
    }
    // Newest first, so that the order is the newest run's task order.
    var order: [String: Int] = [:]
    var tallies: [(name: String, tally: Tally)] = []
    for run in finished.reversed() {
      for task in run.tasks where task.status.isFinished {
        let slot =
          order[task.name]
          ?? {
            tallies.append((task.name, Tally()))
            order[task.name] = tallies.count - 1
            return tallies.count - 1
          }()
        tallies[slot].tally.runs += 1
        if task.status == .failed || task.status == .timedOut { tallies[slot].tally.failures += 1 }
        if task.attempts > 1 { tallies[slot].tally.retried += 1 }
        if task.status == .completed, let seconds = task.durationSeconds {
          tallies[slot].tally.durations.append(seconds)
        }
        if let rss = task.peakRssBytes { tallies[slot].tally.peakRss.append(Double(rss)) }
      }
    }
    let last = Dictionary(
      (finished.last?.tasks ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    return tallies.map { name, tally in
      let durations = tally.durations.sorted()
      let lastSeconds = last[name].flatMap { $0.status == .completed ? $0.durationSeconds : nil }
      return .init(
        name: name, runs: tally.runs, failures: tally.failures, retried: tally.retried,
        lastStatus: last[name]?.status,
        p50Seconds: Percentile.of(sorted: durations, 50),
        p95Seconds: Percentile.of(sorted: durations, 95), maxSeconds: durations.last,
        lastSeconds: lastSeconds,
        slow: lastSeconds.map { Self.isSlow($0, usual: history.earlierTaskDurations[name]) }
          ?? false,
        peakRssP95Bytes: Percentile.of(tally.peakRss, 95))
    }
  }

  static func isSlow(_ seconds: Double, usual durations: [Double]?) -> Bool {
    guard let durations, durations.count >= minimumHistory,
      let p50 = Percentile.of(durations, 50)
    else { return false }
    return seconds >= slowFactor * p50 && seconds - p50 >= slowMinimumExcess
  }

  private func date(_ seconds: Double) -> Date { Date(timeIntervalSince1970: seconds) }
}

/// Durations of the most recent completed runs and task instances: the
/// baselines for stuck, slow and ETA, whatever the display window.
struct CompletedHistory {
  var runDurations: [Double] = []
  var taskDurations: [String: [Double]] = [:]
  /// As `taskDurations`, without the newest finished run: what that run is
  /// compared against.
  var earlierTaskDurations: [String: [Double]] = [:]

  init(_ runs: [RunDigest]) {
    // Newest first, and lazily: only the newest runs are looked at.
    let finished = runs.reversed().lazy.filter { $0.status != .running }
    let limit = PipelineAssessment.historyRuns
    for (offset, run) in finished.enumerated() {
      // Years of history hold far more than a baseline needs.
      if runDurations.count >= limit
        && run.tasks.allSatisfy({ taskDurations[$0.name, default: []].count >= limit })
      {
        break
      }
      if run.status == .completed, let duration = run.durationSeconds,
        runDurations.count < limit
      {
        runDurations.append(duration)
      }
      for task in run.tasks where task.status == .completed {
        guard let duration = task.durationSeconds,
          taskDurations[task.name, default: []].count < limit
        else { continue }
        taskDurations[task.name, default: []].append(duration)
        if offset > 0 { earlierTaskDurations[task.name, default: []].append(duration) }
      }
    }
  }
}
