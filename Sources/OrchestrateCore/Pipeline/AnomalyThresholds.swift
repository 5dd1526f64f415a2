/// When a flag is raised: how much history is enough, and how far from the
/// median a value must be. Set per pipeline under `anomalies:`.
public struct AnomalyThresholds: Sendable, Equatable {
  /// Completed runs of a task needed before it is judged at all.
  public var minimumRuns = 5
  /// How many of its most recent completed runs a task is compared with.
  public var historyRuns = 20
  /// A duration longer than this many times the median is flagged...
  public var durationFactor = 3.0
  /// ...if it is also at least this much longer, so millisecond noise is not.
  public var minimumDurationExcess = 1.0
  /// A counter below this fraction of its median is flagged.
  public var counterLow = 0.25
  /// A counter above this multiple of its median is flagged.
  public var counterHigh = 4.0
  /// Counters whose totals over a task's instances are judged too, by
  /// counter name (`anomalies.totals`): a source that stops reporting, or
  /// every source sagging a little, shows only in the sum. Opt-in, since
  /// most totals are flagged already through one of their instances.
  public var totals: [String: Bounds] = [:]

  /// How far from its median a total may stray: below `low` times it or
  /// above `high` times it is flagged.
  public struct Bounds: Sendable, Equatable {
    public var low: Double
    public var high: Double

    public init(low: Double, high: Double) {
      self.low = low
      self.high = high
    }
  }

  public init() {}
}
