import FoundationEssentials

/// A phase a task declares it goes through (`phases: [loading, embedding]`),
/// with its expected share of the task's work when one is given
/// (`- {name: embedding, weight: 0.6}`). The record lists declared phases
/// from the start, and the ETA weighs them.
public struct DeclaredPhase: Sendable, Equatable {
  public var name: String
  /// Relative to the other phases' weights; nil: not given.
  public var weight: Double?

  public init(name: String, weight: Double? = nil) {
    self.name = name
    self.weight = weight
  }

  /// At most this many phases per task, as the progress follower keeps.
  public static let maximumCount = 100
  /// Longest phase name, as the progress follower keeps.
  public static let maximumNameLength = 100
}

/// A phase as written: a name, or a mapping of name and weight.
struct PhaseDefinition: Decodable {
  var name: String
  var weight: Double?

  enum CodingKeys: String, CodingKey, CaseIterable {
    case name, weight
  }

  init(from decoder: Decoder) throws {
    if let name = try? decoder.singleValueContainer().decode(String.self) {
      self.name = name
      return
    }
    try decoder.rejectUnknownKeys(besides: CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    name = try c.decode(String.self, forKey: .name)
    weight = try c.decodeIfPresent(Double.self, forKey: .weight)
  }
}

extension [DeclaredPhase] {
  /// Each phase's share of the task, summing to 1: the weights normalised,
  /// a phase without one weighing 1 (so that unweighted phases share alike).
  public var shares: [Double] {
    guard !isEmpty else { return [] }
    let weights = map { $0.weight ?? 1 }
    let sum = weights.reduce(0, +)
    return weights.map { sum > 0 ? $0 / sum : 1 / Double(count) }
  }
}
