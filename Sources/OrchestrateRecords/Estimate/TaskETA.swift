import FoundationEssentials

/// Time left for a running task, from three things: its phases (declared
/// with weights, or reported), its current rate (items done of total in
/// the phase it is in) and how long each phase took in recent runs.
///
/// The work left is summed phase by phase. A phase still to come takes its
/// usual duration (its p50; else the task's p50 times its share; else what
/// this run's finished phases took per unit of share), scaled by how this
/// run's finished phases compare with their usual durations (a slow night
/// is slow throughout). The phase running now takes what its rate says,
/// weighed against its history by how far it has got: at 10% the history
/// counts most, at 90% the rate.
public enum TaskETA {
  /// One phase as the estimate sees it.
  public struct Phase: Sendable, Equatable {
    public var name: String
    public var status: PhaseStatus
    /// Seconds spent in it: all of it once ended; while running, up to the
    /// task's last report (as its counts are).
    public var elapsed: Double
    /// Share of the task's work, if declared.
    public var share: Double?
    /// Items done over total in it, 0...1, when the task reports both.
    public var fraction: Double?

    public init(
      name: String, status: PhaseStatus, elapsed: Double = 0, share: Double? = nil,
      fraction: Double? = nil
    ) {
      self.name = name
      self.status = status
      self.elapsed = elapsed
      self.share = share
      self.fraction = fraction
    }
  }

  /// The slowest and fastest this run is taken to be against its history.
  static let paceLimits = 0.25...4.0

  /// Seconds left; nil when nothing tells (no phases, no progress, no history).
  /// `elapsed`: since the task started; `fraction`: its overall progress
  /// (done / total) for a task without phases; `sinceReport`: seconds since
  /// the task last reported. The estimate is made as of that report, when
  /// counts and time spent agree, and the time since is taken off it: the
  /// record is rewritten about once a second, and a rate from a count a
  /// second old and the time now would make the ETA grow while the task works.
  public static func remaining(
    elapsed: Double, phases: [Phase], fraction: Double? = nil, sinceReport: Double = 0,
    history: TaskHistory
  ) -> Double? {
    guard !phases.isEmpty else {
      // The whole task as its one phase.
      let asOfReport = max(elapsed - sinceReport, 0)
      return remaining(
        elapsed: asOfReport,
        phases: [
          Phase(name: "", status: .running, elapsed: asOfReport, share: 1, fraction: fraction)
        ], sinceReport: sinceReport,
        history: TaskHistory(
          seconds: history.seconds, phaseSeconds: ["": history.seconds].compactMapValues { $0 }))
    }
    let pace = Self.pace(phases, history: history)
    let perShare = Self.secondsPerShare(phases)
    func usual(_ phase: Phase) -> Double? {
      if let seconds = history.phaseSeconds[phase.name] { return seconds * pace }
      if let total = history.seconds, let share = phase.share { return total * share * pace }
      if let perShare, let share = phase.share { return perShare * share }
      return nil
    }
    var left = 0.0
    var known = false
    for phase in phases {
      switch phase.status {
      case .completed, .failed, .skipped: continue
      case .pending:
        guard let seconds = usual(phase) else { continue }
        left += seconds
        known = true
      case .running:
        guard let seconds = running(phase, usual: usual(phase)) else { continue }
        left += seconds
        known = true
      }
    }
    // Before its first phase, the task's whole time is spent on none of them.
    let spent = phases.allSatisfy { $0.status == .pending } ? elapsed : sinceReport
    return known ? max(left - max(spent, 0), 0) : nil
  }

  /// The running phase: its rate's projection `e(1-f)/f` and its history's
  /// `max(h - e, (1-f)h)` weighed by `f`.
  static func running(_ phase: Phase, usual: Double?) -> Double? {
    let elapsed = phase.elapsed
    let byRate: Double? = phase.fraction.flatMap { fraction in
      fraction > 0 ? elapsed * (1 - min(fraction, 1)) / fraction : nil
    }
    guard let usual else { return byRate }
    let fraction = min(max(phase.fraction ?? 0, 0), 1)
    let byHistory =
      phase.fraction == nil ? max(usual - elapsed, 0) : max(usual - elapsed, (1 - fraction) * usual)
    guard let byRate else { return byHistory }
    return fraction * byRate + (1 - fraction) * byHistory
  }

  /// This run's finished phases over their usual durations, the total of
  /// each: 1 without any to compare.
  static func pace(_ phases: [Phase], history: TaskHistory) -> Double {
    var actual = 0.0
    var usual = 0.0
    for phase in phases where phase.status == .completed {
      guard let seconds = history.phaseSeconds[phase.name], seconds > 0 else { continue }
      actual += phase.elapsed
      usual += seconds
    }
    guard usual > 0 else { return 1 }
    return min(max(actual / usual, paceLimits.lowerBound), paceLimits.upperBound)
  }

  /// Seconds per unit of declared share in this run: its completed phases,
  /// and the part of the running one done (a first run has nothing else).
  static func secondsPerShare(_ phases: [Phase]) -> Double? {
    var seconds = 0.0
    var shares = 0.0
    for phase in phases {
      guard let share = phase.share, share > 0 else { continue }
      switch phase.status {
      case .completed:
        seconds += phase.elapsed
        shares += share
      case .running:
        guard let fraction = phase.fraction, fraction > 0 else { continue }
        seconds += phase.elapsed
        shares += share * min(fraction, 1)
      default: continue
      }
    }
    return shares > 0 ? seconds / shares : nil
  }

  /// Of a task's recorded phases at `now`; `reportedAt`: when the task's
  /// progress (the running phase's counts) was last read: the running
  /// phase's time is counted up to then.
  public static func phases(_ records: [PhaseRecord], now: Date, reportedAt: Date? = nil)
    -> [Phase]
  {
    records.map { record in
      let end = record.finishedAt ?? (record.status == .running ? reportedAt ?? now : now)
      let fraction: Double? =
        if let done = record.done, let total = record.total, total > 0 {
          min(max(done / total, 0), 1)
        } else { nil }
      return Phase(
        name: record.name, status: record.status,
        elapsed: record.startedAt.map { max(end.timeIntervalSince($0), 0) } ?? 0,
        share: record.weight, fraction: fraction)
    }
  }
}
