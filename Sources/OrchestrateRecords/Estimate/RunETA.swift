import FoundationEssentials

/// Time left for a run: the longest chain of what remains along the
/// dependencies (the critical path), each task taking its ETA when running
/// and its usual duration when still to start. `max_parallel` is not
/// modelled: a run wider than its limit ends later than this says.
public enum RunETA {
  public struct Task: Sendable, Equatable {
    public var name: String
    public var dependsOn: [String]
    public var status: TaskStatus
    /// Seconds left, for a running task (its `TaskETA`).
    public var remaining: Double?
    /// Its usual duration (p50 of recent completed runs).
    public var usual: Double?

    public init(
      name: String, dependsOn: [String], status: TaskStatus, remaining: Double? = nil,
      usual: Double? = nil
    ) {
      self.name = name
      self.dependsOn = dependsOn
      self.status = status
      self.remaining = remaining
      self.usual = usual
    }
  }

  public struct Estimate: Sendable, Equatable {
    /// Seconds until the last task ends.
    public var seconds: Double
    /// Tasks whose time left nothing tells (no ETA, no history): counted as
    /// taking no time, so the estimate is short by theirs.
    public var unknown: [String]
  }

  /// nil when the run has nothing left, or nothing left has an estimate.
  public static func remaining(_ tasks: [Task]) -> Estimate? {
    let byName = Dictionary(tasks.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    var finish: [String: Double] = [:]
    var unknown: [String] = []
    var visiting: Set<String> = []
    var anyLeft = false
    var anyKnown = false
    func end(of name: String) -> Double {
      if let known = finish[name] { return known }
      guard let task = byName[name], visiting.insert(name).inserted else { return 0 }
      defer { visiting.remove(name) }
      let start = task.dependsOn.map(end(of:)).max() ?? 0
      var own = 0.0
      switch task.status {
      case .running:
        anyLeft = true
        if let seconds = task.remaining ?? task.usual {
          own = seconds
          anyKnown = true
        } else {
          unknown.append(name)
        }
      case .pending:
        anyLeft = true
        if let seconds = task.usual {
          own = seconds
          anyKnown = true
        } else {
          unknown.append(name)
        }
      default: break
      }
      finish[name] = start + own
      return start + own
    }
    let seconds = tasks.map { end(of: $0.name) }.max() ?? 0
    guard anyLeft, anyKnown else { return nil }
    return Estimate(seconds: seconds, unknown: unknown)
  }

  /// The share of the run's work done, each task weighing its usual
  /// duration (1 without history): finished tasks count whole, running
  /// ones by their own progress.
  public static func workDone(_ tasks: [(usual: Double?, done: Double)]) -> Double? {
    let total = tasks.reduce(0) { $0 + ($1.usual ?? 1) }
    guard total > 0 else { return nil }
    return tasks.reduce(0) { $0 + ($1.usual ?? 1) * min(max($1.done, 0), 1) } / total
  }
}
