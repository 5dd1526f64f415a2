import FoundationEssentials

/// Which runs `runs` and `/api/runs` list: read from the same words on the
/// command line and in a query, so that both refuse the same values with
/// the same sentence.
public struct RunFilter: Sendable, Equatable {
  /// Empty: every pipeline under metrics/.
  public var pipelines: [String] = []
  /// Empty: any status.
  public var statuses: Set<RunStatus> = []
  public var environment: String?
  /// Runs started at or after this moment...
  public var since: Date?
  /// ...and before this one.
  public var until: Date?
  public var trigger: RunTrigger?
  /// nil: every matching run.
  public var limit: Int? = Self.defaultLimit

  public static let defaultLimit = 20
  /// Far more than a screen or a page: a typo, not a wish.
  public static let maximumLimit = 100_000

  public init() {}

  /// The filter's values as typed, each nil or empty when not given.
  /// `statuses` may hold several names in one word (`failed,partial`).
  public struct Words: Sendable {
    public var pipelines: [String] = []
    public var statuses: [String] = []
    public var environment: String?
    public var since: String?
    public var until: String?
    public var trigger: String?
    public var limit: String?

    public init() {}
  }

  /// A value refused, and the option or query parameter that gave it.
  public struct Problem: Error, Equatable, CustomStringConvertible {
    /// As the query names it (`since`); the command line adds `--`.
    public var option: String
    public var message: String

    public var description: String { "\(option): \(message)" }
  }

  /// Durations and local days are read against `now` and `zone`.
  public init(_ words: Words, now: Date = Date(), zone: ZoneInfo = .local) throws(Problem) {
    pipelines = words.pipelines
    for word in words.statuses {
      for name in word.split(separator: ",").map(\.trimmed) where !name.isEmpty {
        guard let status = RunStatus(rawValue: name) else {
          throw Problem(
            option: "status",
            message: Self.unknown(name, "a run status", RunStatus.allCases.map(\.rawValue)))
        }
        statuses.insert(status)
      }
    }
    environment = words.environment.flatMap { $0.isEmpty ? nil : $0 }
    if let text = words.trigger, !text.isEmpty {
      guard let trigger = RunTrigger(rawValue: text) else {
        throw Problem(
          option: "trigger",
          message: Self.unknown(text, "a trigger", RunTrigger.allCases.map(\.rawValue)))
      }
      self.trigger = trigger
    }
    since = try Self.moment(words.since, option: "since", edge: .start, now: now, zone: zone)
    until = try Self.moment(words.until, option: "until", edge: .end, now: now, zone: zone)
    if let since, let until, since >= until {
      throw Problem(
        option: "since",
        message: "'\(words.since ?? "")' is not before until '\(words.until ?? "")'")
    }
    if let text = words.limit, !text.isEmpty {
      guard let number = Int(text), (0...Self.maximumLimit).contains(number) else {
        throw Problem(
          option: "limit",
          message: "'\(text)' is not a number from 0 (every run) to \(Self.maximumLimit)")
      }
      limit = number == 0 ? nil : number
    }
  }

  /// No filter but the pipelines': nothing found means nothing recorded.
  public var selectsEveryRun: Bool {
    statuses.isEmpty && environment == nil && since == nil && until == nil && trigger == nil
  }

  /// Whether a run, with the status it is shown with, passes every filter
  /// but the pipeline's (its directory was chosen by it).
  func admits(_ run: RunDigest, status: RunStatus) -> Bool {
    (statuses.isEmpty || statuses.contains(status))
      && (environment == nil || run.environment == environment)
      && (since.map { run.startedAt >= $0.timeIntervalSince1970 } ?? true)
      && (until.map { run.startedAt < $0.timeIntervalSince1970 } ?? true)
      && (trigger == nil || RunTrigger(run) == trigger)
  }

  private static func moment(
    _ text: String?, option: String, edge: TimeBound.Edge, now: Date, zone: ZoneInfo
  ) throws(Problem) -> Date? {
    guard let text, !text.isEmpty else { return nil }
    guard let moment = TimeBound.parse(text, edge: edge, now: now, zone: zone) else {
      throw Problem(option: option, message: "'\(text)' is not \(TimeBound.forms)")
    }
    return moment
  }

  /// `'faild' is not a run status (did you mean 'failed'?)`.
  private static func unknown(_ value: String, _ what: String, _ known: [String]) -> String {
    if let guess = closestMatch(to: value, in: Set(known)) {
      return "'\(value)' is not \(what) (did you mean '\(guess)'?)"
    }
    return "'\(value)' is not \(what) (\(known.joined(separator: ", ")))"
  }
}
