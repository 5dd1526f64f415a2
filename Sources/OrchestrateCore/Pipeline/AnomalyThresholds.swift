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

  public init() {}
}
