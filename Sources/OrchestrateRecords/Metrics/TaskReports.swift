import FoundationEssentials

/// The latest progress a task reported: `{"done": 35, "total": 50,
/// "message": "file 35 of 50", "phase": "loading"}`, every field optional.
public struct TaskProgress: Codable, Sendable, Equatable {
  public var done: Double?
  public var total: Double?
  /// `done / total` in percent, when both are known and total is positive.
  public var percent: Double?
  public var message: String?
  public var phase: String?
  public var updatedAt: Date

  public init(
    done: Double? = nil, total: Double? = nil, message: String? = nil, phase: String? = nil,
    updatedAt: Date
  ) {
    self.done = done
    self.total = total
    self.message = message
    self.phase = phase
    self.updatedAt = updatedAt
    if let done, let total, total > 0 { percent = (done / total * 1000).rounded() / 10 }
  }
}

/// A duration or counter far from what the task usually does, or a
/// counter's total over a task's instances far from its usual sum.
public struct Anomaly: Codable, Sendable, Equatable {
  /// The task instance (`extract[geo]`); for a total, the task of the
  /// pipeline file (`extract`).
  public var task: String
  /// `duration_seconds`, or the name of a counter the task reports.
  public var field: String
  public var value: Double
  /// Median over the task's recent completed runs.
  public var median: Double
  /// `value / median`.
  public var factor: Double
  /// `total` for a counter summed over the task's instances; absent for
  /// one instance's duration or counter.
  public var scope: Scope?

  public enum Scope: String, Codable, Sendable {
    case total
  }

  public init(task: String, field: String, value: Double, median: Double, scope: Scope? = nil) {
    self.task = task
    self.scope = scope
    self.field = field
    self.value = value
    self.median = median
    self.factor = median == 0 ? (value == 0 ? 1 : .infinity) : value / median
  }
}
