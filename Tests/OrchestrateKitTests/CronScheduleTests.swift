import Foundation
import Testing

@testable import OrchestrateCore
@testable import OrchestrateStatus

/// Cron expressions against due times worked out by hand from the calendar
/// and the zones' daylight-saving rules (Europe/Berlin changes at 01:00 UTC
/// on the last Sundays of March and October; America/New_York at 02:00
/// local on the second Sunday of March and the first of November).
@Suite struct CronScheduleTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var expression: String
    var zone: String
    var after: String
    /// The due times that follow, in UTC.
    var expected: [String]
    var testDescription: String { "\(expression) in \(zone) after \(after)" }
  }

  static func date(_ text: String) -> Date { Timestamp.parse(text)! }

  static let cases: [Case] = [
    // Plain fields, steps, ranges, lists and names.
    .init("*/15 * * * *", "UTC", "2025-06-04T10:07:00Z", ["10:15", "10:30", "10:45", "11:00"]),
    .init("5-20/5 8-9 * * *", "UTC", "2025-06-04T08:12:00Z", ["08:15", "08:20", "09:05"]),
    .init("0 9 * JAN,jul mon-FRI", "UTC", "2025-06-15T00:00:00Z", ["07-01 09:00", "07-02 09:00"]),
    .init("0 0 * * 7", "UTC", "2025-06-04T00:00:00Z", ["06-08 00:00", "06-15 00:00"]),
    .init("0 0 29 2 *", "UTC", "2025-01-01T00:00:00Z", ["2028-02-29T00:00:00Z"]),
    // Day of month OR day of week when both are restricted ...
    .init(
      "0 0 13 * 5", "UTC", "2025-07-08T00:00:00Z", ["07-11 00:00", "07-13 00:00", "07-18 00:00"]),
    // ... AND when one starts with '*' (Vixie cron's DOM_STAR), even stepped.
    .init("0 0 */2 * 1", "UTC", "2025-06-01T00:00:00Z", ["06-09 00:00", "06-23 00:00"]),
    // Macros.
    .init("@hourly", "UTC", "2025-06-04T10:15:00Z", ["11:00", "12:00"]),
    .init("@daily", "UTC", "2025-06-04T10:15:00Z", ["06-05 00:00"]),
    .init("@midnight", "UTC", "2025-06-04T10:15:00Z", ["06-05 00:00"]),
    .init("@weekly", "UTC", "2025-06-04T10:15:00Z", ["06-08 00:00", "06-15 00:00"]),
    .init("@monthly", "UTC", "2025-06-04T10:15:00Z", ["07-01 00:00", "08-01 00:00"]),
    .init("@yearly", "UTC", "2025-06-04T10:15:00Z", ["2026-01-01T00:00:00Z"]),
    .init("@annually", "UTC", "2025-06-04T10:15:00Z", ["2026-01-01T00:00:00Z"]),
    // Local time: 02:00 in Berlin is 00:00 UTC in summer.
    .init("0 2 * * *", "Europe/Berlin", "2025-06-04T10:00:00Z", ["06-05 00:00"]),
    // Clocks forward in Berlin (02:00 → 03:00 on 30 March): a fixed-time job
    // of the skipped hour runs once, at the change (03:00 CEST = 01:00 UTC) ...
    .init("30 2 * * *", "Europe/Berlin", "2025-03-29T12:00:00Z", ["03-30 01:00", "03-31 00:30"]),
    .init("0,30 2 * * *", "Europe/Berlin", "2025-03-29T12:00:00Z", ["03-30 01:00", "03-31 00:00"]),
    // ... a wildcard job follows the clock: 02:30 does not exist.
    .init("30 * * * *", "Europe/Berlin", "2025-03-30T00:00:00Z", ["00:30", "01:30", "02:30"]),
    // Clocks back in Berlin (03:00 → 02:00 on 26 October): a fixed-time job
    // of the repeated hour runs once, the first time ...
    .init("30 2 * * *", "Europe/Berlin", "2025-10-25T12:00:00Z", ["10-26 00:30", "10-27 01:30"]),
    // ... a wildcard job runs at both 02:30s.
    .init("30 * * * *", "Europe/Berlin", "2025-10-26T00:00:00Z", ["00:30", "01:30", "02:30"]),
    // New York: 02:00 EST does not exist on 9 March, 01:30 happens twice on 2 November.
    .init("0 2 * * *", "America/New_York", "2025-03-08T12:00:00Z", ["03-09 07:00", "03-10 06:00"]),
    .init(
      "30 1 * * *", "America/New_York", "2025-11-01T12:00:00Z", ["11-02 05:30", "11-03 06:30"]),
    .init("0 * * * *", "America/New_York", "2025-11-02T04:30:00Z", ["05:00", "06:00", "07:00"]),
  ]

  @Test(arguments: cases) func nextDueTimes(_ item: Case) throws {
    let schedule = try item.schedule()
    let times = schedule.next(item.expected.count, after: Self.date(item.after))
    #expect(times.map(Timestamp.format) == item.expected.map { item.absolute($0) })
  }

  /// Walking back from just after each expected time finds it again, and
  /// from it finds the one before: previous is the mirror of next.
  @Test(arguments: cases) func previousDueTimes(_ item: Case) throws {
    let schedule = try item.schedule()
    let expected = item.expected.map { Self.date(item.absolute($0)) }
    for (index, time) in expected.enumerated() {
      #expect(schedule.previous(before: time.addingTimeInterval(1)) == time)
      if index > 0 { #expect(schedule.previous(before: time) == expected[index - 1]) }
    }
  }

  @Test func neverDueMeansNil() throws {
    // OR rule: 31 February never exists but every Monday does.
    let schedule = CronSchedule(
      expression: try CronExpression(parsing: "0 0 31 2 1"), timeZone: ZoneInfo.named("UTC")!)
    #expect(schedule.next(after: Self.date("2025-01-01T00:00:00Z")) != nil)
  }

  @Test(arguments: [
    ("0 25 * * *", 2, "hour 25 is out of range 0-23"),
    ("61 * * * *", 0, "minute 61 is out of range 0-59"),
    ("0 0 * * 8", 8, "day-of-week 8 is out of range 0-7"),
    ("0 0 0 * *", 4, "day-of-month 0 is out of range 1-31"),
    ("0 0 * 13 *", 6, "month 13 is out of range 1-12"),
    ("0 0 * foo *", 6, "month 'foo' is not a number or a name (jan-dec)"),
    ("0 0 * * sunday", 8, "day-of-week 'sunday' is not a number or a name (sun-sat)"),
    (
      "0 2 * *", 0,
      "expected 5 fields (minute hour day-of-month month day-of-week) or a macro such as @daily, found 4"
    ),
    (
      "0 2 * * * echo", 10,
      "expected 5 fields (minute hour day-of-month month day-of-week) or a macro such as @daily, found 6"
    ),
    (
      "", 0,
      "expected 5 fields (minute hour day-of-month month day-of-week) or a macro such as @daily, found 0"
    ),
    ("5/10 * * * *", 1, "minute: a step needs a range or '*' (write 5-59/10)"),
    ("*/0 * * * *", 2, "minute step '0' is not a whole number of at least 1"),
    ("0 0 20-10 * *", 4, "day-of-month range 20-10 runs backwards (write 10-20?)"),
    ("1,,2 * * * *", 2, "minute: empty item in the list"),
    ("0 1- * * *", 4, "hour: a value is missing"),
    ("0 0 30 2 *", 4, "day-of-month 30 never occurs in the months given, so this never runs"),
    ("0 0 31 4,6 *", 4, "day-of-month 31 never occurs in the months given, so this never runs"),
    ("@reboot", 0, "@reboot is not a schedule: it runs when cron starts"),
    (
      "@often", 0,
      "unknown macro '@often' (use @hourly, @daily, @midnight, @weekly, @monthly, @yearly or @annually)"
    ),
  ])
  func errorsSayWhatAndWhere(_ text: String, _ offset: Int, _ message: String) {
    #expect(throws: CronSyntaxError(offset: offset, message: message)) {
      try CronExpression(parsing: text)
    }
  }
}

extension CronScheduleTests.Case {
  init(_ expression: String, _ zone: String, _ after: String, _ expected: [String]) {
    self.init(expression: expression, zone: zone, after: after, expected: expected)
  }

  func schedule() throws -> CronSchedule {
    CronSchedule(
      expression: try CronExpression(parsing: expression),
      timeZone: try #require(ZoneInfo.named(zone)))
  }

  /// `HH:MM` on the day of `after`, `MM-DD HH:MM` in its year, or a full timestamp.
  func absolute(_ short: String) -> String {
    if short.count > 11 { return short.replacingOccurrences(of: "Z", with: ".000Z") }
    let year = after.prefix(4)
    if short.count == 5 { return "\(after.prefix(10))T\(short):00.000Z" }
    return "\(year)-\(short.prefix(5))T\(short.suffix(5)):00.000Z"
  }
}
