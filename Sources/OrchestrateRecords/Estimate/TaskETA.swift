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
    /// Seconds spent in it: so far while running, all of it once ended.
    public var elapsed: Double
    /// Share of the task's work, if declared.
    public var share: Double?
    /// Items done over total in it, 0...1, when the task reports both.
    public var fraction: Double?
    /// Seconds since `fraction` was reported: the record is rewritten at
    /// most once a second, and a rate taken from a stale count and the
    /// current time would grow while the task works.
    public var sinceReport: Double

    public init(
      name: String, status: PhaseStatus, elapsed: Double = 0, share: Double? = nil,
      fraction: Double? = nil, sinceReport: Double = 0
    ) {
      self.name = name
      self.status = status
      self.elapsed = elapsed
      self.share = share
      self.fraction = fraction
      self.sinceReport = sinceReport
    }
  }

  /// The slowest and fastest this run is taken to be against its history.
  static let paceLimits = 0.25...4.0

  /// Seconds left; nil when nothing tells (no phases, no progress, no history).
  /// `elapsed`: since the task started; `fraction`: its overall progress
  /// (done / total) for a task without phases.
  public static func remaining(
    elapsed: Double, phases: [Phase], fraction: Double? = nil, sinceReport: Double = 0,
    history: TaskHistory
  ) -> Double? {
    guard !phases.isEmpty else {
      // The whole task as its one phase.
      return remaining(
        elapsed: elapsed,
        phases: [
          Phase(
            name: "", status: .running, elapsed: elapsed, share: 1, fraction: fraction,
            sinceReport: sinceReport)
        ],
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
    return known ? left : nil
  }

  /// The running phase: its rate's projection `e(1-f)/f` (as of the report,
  /// less the time since) and its history's `max(h - e, (1-f)h)` weighed by `f`.
  static func running(_ phase: Phase, usual: Double?) -> Double? {
    let elapsed = phase.elapsed
    let since = min(max(phase.sinceReport, 0), elapsed)
    let byRate: Double? = phase.fraction.flatMap { fraction in
      fraction > 0 ? max((elapsed - since) * (1 - min(fraction, 1)) / fraction - since, 0) : nil
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

  /// Seconds per unit of declared share in this run's completed phases.
  static func secondsPerShare(_ phases: [Phase]) -> Double? {
    let done = phases.filter { $0.status == .completed && ($0.share ?? 0) > 0 }
    let shares = done.reduce(0) { $0 + ($1.share ?? 0) }
    guard shares > 0 else { return nil }
    return done.reduce(0) { $0 + $1.elapsed } / shares
  }

  /// Of a task's recorded phases at `now`; `reportedAt`: when the task's
  /// progress (the running phase's counts) was last read.
  public static func phases(_ records: [PhaseRecord], now: Date, reportedAt: Date? = nil)
    -> [Phase]
  {
    records.map { record in
      let end = record.finishedAt ?? now
      let fraction: Double? =
        if let done = record.done, let total = record.total, total > 0 {
          min(max(done / total, 0), 1)
        } else { nil }
      return Phase(
        name: record.name, status: record.status,
        elapsed: record.startedAt.map { max(end.timeIntervalSince($0), 0) } ?? 0,
        share: record.weight, fraction: fraction,
        sinceReport: record.status == .running
          ? reportedAt.map { max(now.timeIntervalSince($0), 0) } ?? 0 : 0)
    }
  }
}
