/// `state: true` or `state: {keep: 10}`: the task keeps a directory from one
/// run to the next, committed only when it completes.
public struct TaskStateSetting: Sendable, Equatable {
  /// Committed versions kept (the current one always among them).
  public var keep: Int

  public static let defaultKeep = 10
  /// More versions than a year of nightly runs is a backup, not a state.
  public static let keepRange = 1...1000

  public init(keep: Int = TaskStateSetting.defaultKeep) {
    self.keep = keep
  }

  /// Names a per-source task's state folder holds besides its sources'
  /// folders; a source of one of these names would share them.
  public static let reservedNames: Set<String> = ["versions", "current", "changes.log"]
}

/// `state:` as written: a boolean, or a mapping with `keep`.
struct StateDefinition: Decodable {
  var enabled: Bool
  var keep: Int?

  enum CodingKeys: String, CodingKey, CaseIterable {
    case keep
  }

  init(from decoder: Decoder) throws {
    if let flag = try? decoder.singleValueContainer().decode(Bool.self) {
      enabled = flag
      return
    }
    try decoder.rejectUnknownKeys(besides: CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    enabled = true
    keep = try c.decodeIfPresent(Int.self, forKey: .keep)
  }
}

extension StateDefinition {
  /// The setting, or why it cannot be: `keep` out of range, a source named
  /// like the state folder's own files.
  func setting(perSource: Bool, sources: [String]) -> Result<TaskStateSetting?, StateProblem> {
    guard enabled else { return .success(nil) }
    let keep = keep ?? TaskStateSetting.defaultKeep
    let range = TaskStateSetting.keepRange
    guard range.contains(keep) else {
      return .failure(
        StateProblem(
          field: "state.keep",
          message: "'keep' must be between \(range.lowerBound) and \(range.upperBound), got \(keep)"
        ))
    }
    if perSource, let clash = sources.first(where: TaskStateSetting.reservedNames.contains) {
      return .failure(
        StateProblem(
          field: "state",
          message:
            "source '\(clash)' would share the name of a file of the task's state folder; "
            + "rename the source"))
    }
    return .success(TaskStateSetting(keep: keep))
  }
}

struct StateProblem: Error {
  var field: String
  var message: String
}
