import FoundationEssentials

/// What a pipeline's schedule lets status expect: when it is next due, how
/// old its last success may be, and whether a due run never started.
public struct ScheduleExpectation: Sendable {
  public var schedule: CronSchedule
  /// The pipeline's `schedule_grace`; nil: derived from the due times.
  public var explicitGrace: Double?

  /// A derived grace is this fraction of the gap between due times ...
  public static let graceFraction = 0.1
  /// ... and never more than this.
  public static let maximumDerivedGrace: Double = 3600
  /// The oldest a last success may be when there is no schedule: a day and a twelfth.
  public static let unscheduledMaxAge: Double = 26 * 3600

  public init(schedule: CronSchedule, explicitGrace: Double? = nil) {
    self.schedule = schedule
    self.explicitGrace = explicitGrace
  }

  /// From a run record's copy of the pipeline's settings; nil without a
  /// schedule (or with one this version cannot read). An unknown zone falls
  /// back to the machine's, as cron itself would run.
  public init?(schedule text: String?, timezone: String?, graceSeconds: Double?) {
    guard let text, let expression = try? CronExpression(parsing: text) else { return nil }
    let zone = timezone.flatMap(ZoneInfo.named) ?? .local
    self.init(
      schedule: CronSchedule(expression: expression, timeZone: zone), explicitGrace: graceSeconds)
  }

  /// How late a run due at `due` may start: `schedule_grace`, else a tenth
  /// of the gap since the due time before it, at most an hour.
  public func grace(for due: Date) -> Double {
    if let explicitGrace { return explicitGrace }
    guard let before = schedule.previous(before: due) else { return Self.maximumDerivedGrace }
    return min(Self.graceFraction * due.timeIntervalSince(before), Self.maximumDerivedGrace)
  }

  /// The gap between the last two due times before `now`, plus the grace.
  public func maxAge(now: Date) -> Double {
    guard let last = schedule.previous(before: now), let before = schedule.previous(before: last)
    else { return Self.unscheduledMaxAge }
    return last.timeIntervalSince(before) + grace(for: last)
  }

  public struct MissedRun: Codable, Sendable, Equatable {
    public var dueAt: Date
    public var lateSeconds: Double
  }

  /// The newest due time whose grace has passed, when no run started at or
  /// after it (`starts` in seconds since 1970, any order). `since`: no run
  /// is owed before it (a pipeline that never ran: since its file appeared).
  public func missedRun(starts: [Double], now: Date, since: Date? = nil) -> MissedRun? {
    var due = schedule.previous(before: now)
    // A grace longer than the gap (every 5 minutes, 10 minutes' grace)
    // means looking further back; a bounded walk.
    for _ in 0..<1000 {
      guard let current = due, now.timeIntervalSince(current) <= grace(for: current) else { break }
      due = schedule.previous(before: current)
    }
    guard let due, since.map({ due >= $0 }) ?? true else { return nil }
    let dueSeconds = due.timeIntervalSince1970
    guard !starts.contains(where: { $0 >= dueSeconds }) else { return nil }
    return MissedRun(dueAt: due, lateSeconds: now.timeIntervalSince(due))
  }
}
