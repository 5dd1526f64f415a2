import FoundationEssentials

/// A running run's progress at two levels: the run (tasks finished of
/// total, the share of its work done, its ETA along the critical path) and
/// each running task (phase k of n, its ETA). What status, the report and
/// the live view show.
public struct RunProgressEstimate: Sendable, Equatable {
  public struct TaskEstimate: Sendable, Equatable {
    /// Seconds left; nil when nothing tells.
    public var remaining: Double?
    /// The phase running now, 1-based, and how many the task has.
    public var phaseNumber: Int?
    public var phaseCount: Int?
  }

  public var tasks: [String: TaskEstimate]
  /// Seconds until the run's last task ends, along the critical path.
  public var remaining: Double?
  /// Tasks whose time left nothing tells: the run's ETA leaves them out.
  public var unknown: [String]
  /// Share of the run's work done, 0...1, each task weighing its usual duration.
  public var workDone: Double?
  public var tasksFinished: Int
  /// Wanted tasks (those `when:` left out are not counted).
  public var tasksTotal: Int

  /// `elapsed`: seconds a task has run (by whatever clock the caller trusts).
  public init(
    _ record: RunRecord, now: Date, history: [String: TaskHistory],
    elapsed: (TaskRecord) -> Double? = { _ in nil }
  ) {
    var tasks: [String: TaskEstimate] = [:]
    var chain: [RunETA.Task] = []
    var work: [(usual: Double?, done: Double)] = []
    for task in record.tasks where task.status != .notWanted {
      let past = history[task.name] ?? TaskHistory()
      var remaining: Double?
      var done = task.status.isFinished ? 1.0 : 0
      if task.status == .running {
        let phases = task.phases ?? []
        let spent = elapsed(task) ?? task.startedAt.map { now.timeIntervalSince($0) } ?? 0
        let reportedAt = task.progress?.updatedAt
        remaining = TaskETA.remaining(
          elapsed: spent, phases: TaskETA.phases(phases, now: now, reportedAt: reportedAt),
          fraction: task.progress?.percent.map { $0 / 100 },
          sinceReport: reportedAt.map { max(now.timeIntervalSince($0), 0) } ?? 0,
          history: past)
        if let remaining, spent + remaining > 0 { done = spent / (spent + remaining) }
        let number = phases.lastIndex { $0.status == .running }.map { $0 + 1 }
        tasks[task.name] = TaskEstimate(
          remaining: remaining, phaseNumber: number,
          phaseCount: phases.isEmpty ? nil : phases.count)
      }
      chain.append(
        RunETA.Task(
          name: task.name, dependsOn: task.dependsOn, status: task.status,
          remaining: remaining, usual: past.seconds))
      work.append((past.seconds, done))
    }
    let run = RunETA.remaining(chain)
    self.tasks = tasks
    remaining = run?.seconds
    unknown = run?.unknown ?? []
    workDone = RunETA.workDone(work)
    tasksFinished = record.tasks.filter { $0.status.isFinished && $0.status != .notWanted }.count
    tasksTotal = record.tasks.filter { $0.status != .notWanted }.count
  }
}
