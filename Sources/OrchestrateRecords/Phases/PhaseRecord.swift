import FoundationEssentials

/// Where a phase of a task stands.
public enum PhaseStatus: String, Codable, Sendable, CaseIterable {
  /// Declared, not entered yet.
  case pending
  case running
  /// Left for a later phase, or the task completed in it.
  case completed
  /// The task failed (or timed out, or was stopped) in it.
  case failed
  /// Never entered: the task went past it, or ended before it.
  case skipped
}

/// One phase of a task (loading → chunking → embedding): every phase the
/// pipeline declares from the start, then those the task reports that it
/// did not declare, in the order it entered them.
public struct PhaseRecord: Codable, Sendable, Equatable {
  public var name: String
  public var status: PhaseStatus
  /// Absent while pending, and for a phase skipped.
  public var startedAt: Date?
  public var finishedAt: Date?
  public var done: Double?
  public var total: Double?
  /// Its share of the task's work as declared (normalised), when declared.
  public var weight: Double?
  /// For the phase the task failed in: the end of the task's output.
  public var error: String?

  public init(
    name: String, status: PhaseStatus, startedAt: Date? = nil, finishedAt: Date? = nil,
    done: Double? = nil, total: Double? = nil, weight: Double? = nil, error: String? = nil
  ) {
    self.name = name
    self.status = status
    self.startedAt = startedAt
    self.finishedAt = finishedAt
    self.done = done
    self.total = total
    self.weight = weight
    self.error = error
  }

  enum CodingKeys: String, CodingKey {
    case name, status, startedAt, finishedAt, done, total, weight, error
  }

  /// Records from before phases had a status: a phase was running until it
  /// had an end.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    name = try c.decode(String.self, forKey: .name)
    startedAt = try c.decodeIfPresent(Date.self, forKey: .startedAt)
    finishedAt = try c.decodeIfPresent(Date.self, forKey: .finishedAt)
    status =
      try c.decodeIfPresent(PhaseStatus.self, forKey: .status)
      ?? (finishedAt == nil ? .running : .completed)
    done = try c.decodeIfPresent(Double.self, forKey: .done)
    total = try c.decodeIfPresent(Double.self, forKey: .total)
    weight = try c.decodeIfPresent(Double.self, forKey: .weight)
    error = try c.decodeIfPresent(String.self, forKey: .error)
  }

  /// Seconds from its start to its end, once it has both.
  public var durationSeconds: Double? {
    guard let startedAt, let finishedAt else { return nil }
    return finishedAt.timeIntervalSince(startedAt)
  }
}

extension [PhaseRecord] {
  /// The phase the task failed in, if it did in one.
  public var failed: PhaseRecord? { first { $0.status == .failed } }
  /// The phase running now.
  public var current: PhaseRecord? { last { $0.status == .running } }
}
