/// `items: {stages: [fetched, parsed], stuck_after: 6h, alert_stuck_over: 10,
/// max_failure_rate: 0.2, keep_events: 90d}`: the stages a pipeline's items
/// go through, in order, when status calls them unhealthy, and how long
/// rotation keeps each run's events.
struct ItemsDefinition: Decodable {
  var stages: [String]?
  var stuckAfter: DurationSetting?
  var alertStuckOver: Int?
  var maxFailureRate: Double?
  var keepEvents: DurationSetting?

  enum CodingKeys: String, CodingKey, CaseIterable {
    case stages
    case stuckAfter = "stuck_after"
    case alertStuckOver = "alert_stuck_over"
    case maxFailureRate = "max_failure_rate"
    case keepEvents = "keep_events"
  }

  init(from decoder: Decoder) throws {
    try decoder.rejectUnknownKeys(besides: CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    stages = try c.decodeIfPresent([String].self, forKey: .stages)
    stuckAfter = try c.decodeIfPresent(DurationSetting.self, forKey: .stuckAfter)
    alertStuckOver = try c.decodeIfPresent(Int.self, forKey: .alertStuckOver)
    maxFailureRate = try c.decodeIfPresent(Double.self, forKey: .maxFailureRate)
    keepEvents = try c.decodeIfPresent(DurationSetting.self, forKey: .keepEvents)
  }
}

/// A task's `backpressure: {stage: embedded, max_backlog: 500}`.
struct BackpressureDefinition: Decodable {
  var stage: String
  var maxBacklog: Int

  enum CodingKeys: String, CodingKey, CaseIterable {
    case stage
    case maxBacklog = "max_backlog"
  }

  init(from decoder: Decoder) throws {
    try decoder.rejectUnknownKeys(besides: CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    stage = try c.decode(String.self, forKey: .stage)
    maxBacklog = try c.decode(Int.self, forKey: .maxBacklog)
  }
}

/// What a pipeline says about its items: their stages in order (so that
/// "the next stage" and a backlog mean something), and its health rules.
public struct ItemSettings: Sendable, Equatable {
  /// Declared order; empty: stages are whatever tasks report, unordered.
  public var stages: [String] = []
  /// An item `started` in a stage for longer than this is stuck.
  public var stuckAfter: Duration = .seconds(6 * 3600)
  /// Status is CRITICAL when more items than this are stuck.
  public var alertStuckOver = 0
  /// Status warns when a stage's share of failed items (failed over done
  /// and failed) is above this.
  public var maxFailureRate = 0.1

  public init() {}

  /// The stage declared before `stage`, when both are declared.
  public func stage(before stage: String) -> String? {
    guard let index = stages.firstIndex(of: stage), index > 0 else { return nil }
    return stages[index - 1]
  }

  /// The stage declared after `stage`.
  public func stage(after stage: String) -> String? {
    guard let index = stages.firstIndex(of: stage), index + 1 < stages.count else { return nil }
    return stages[index + 1]
  }

  /// A stage name: what tasks report, and what a path or a metric label may hold.
  public static func stageProblem(_ name: String) -> String? {
    guard !name.isEmpty, name.utf8.count <= 64 else { return "must be 1 to 64 characters" }
    let allowed = name.utf8.allSatisfy { byte in
      (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
        || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte == 0x2D || byte == 0x2E
    }
    return allowed ? nil : "may hold only letters, digits, '_', '-' and '.'"
  }
}

/// A task that does not start while the backlog before `stage` is above
/// `maxBacklog`: it is left out as a `when:` does, and the run goes on.
public struct Backpressure: Sendable, Equatable {
  public var stage: String
  public var maxBacklog: Int

  public init(stage: String, maxBacklog: Int) {
    self.stage = stage
    self.maxBacklog = maxBacklog
  }
}
