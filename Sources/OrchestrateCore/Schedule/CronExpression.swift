/// A cron expression as Vixie cron reads it: five fields (minute, hour,
/// day of month, month, day of week) of lists, ranges, steps and names, or
/// one of the macros `@hourly`, `@daily`, `@midnight`, `@weekly`,
/// `@monthly`, `@yearly` and `@annually`. Which times it names; the
/// calendar maths that turns them into moments is `CronSchedule`.
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
  /// The expression as written.
  public let text: String
  /// Bit n set: value n matches.
  let minutes: UInt64
  let hours: UInt32
  let daysOfMonth: UInt32
  let months: UInt16
  /// Sunday is 0 (a 7 in the text is folded onto it).
  let daysOfWeek: UInt8
  /// Vixie cron's `DOM_STAR` and `DOW_STAR`: the field starts with `*`
  /// (`*/2` too). When neither does, a day matches when either field
  /// matches; otherwise it must match both.
  let dayOfMonthIsStar: Bool
  let dayOfWeekIsStar: Bool
  /// Vixie cron's `MIN_STAR | HR_STAR`: a job whose minute or hour field
  /// starts with `*` runs by the clock across daylight-saving changes; a
  /// fixed-time job runs once when its time is skipped or repeated.
  public let isWildcard: Bool

  public var description: String { text }

  /// The macros and what they stand for.
  static let macros: [String: String] = [
    "@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
  ]

  /// Whether jobs run on this calendar day (`weekday` 0 is Sunday).
  func matches(month: Int, day: Int, weekday: Int) -> Bool {
    guard months & (1 << month) != 0 else { return false }
    let dayOfMonth = daysOfMonth & (1 << day) != 0
    let dayOfWeek = daysOfWeek & (1 << weekday) != 0
    return dayOfMonthIsStar || dayOfWeekIsStar
      ? dayOfMonth && dayOfWeek : dayOfMonth || dayOfWeek
  }

  /// The hours and minutes of a day on which jobs run, in order, as
  /// minutes after midnight.
  var timesOfDay: [Int] {
    var times: [Int] = []
    for hour in Self.members(UInt64(hours), 0...23) {
      for minute in Self.members(minutes, 0...59) { times.append(hour * 60 + minute) }
    }
    return times
  }

  /// The values of a field, in order.
  var minuteValues: [Int] { Self.members(minutes, 0...59) }
  var hourValues: [Int] { Self.members(UInt64(hours), 0...23) }
  var dayOfMonthValues: [Int] { Self.members(UInt64(daysOfMonth), 1...31) }
  var monthValues: [Int] { Self.members(UInt64(months), 1...12) }
  var dayOfWeekValues: [Int] { Self.members(UInt64(daysOfWeek), 0...6) }

  static func members(_ bits: UInt64, _ range: ClosedRange<Int>) -> [Int] {
    range.filter { bits & (1 << UInt64($0)) != 0 }
  }
}
