import Foundation
import TestSupport
import Testing

@testable import OrchestrateStatus

/// Every translation to `OnCalendar=` is read back by systemd itself
/// (`systemd-analyze calendar`, Debian package systemd): its next five
/// elapses must be the library's next five due times.
@Suite struct SystemdCalendarTests {
  static let expressions = [
    "*/15 * * * *", "5-20/5 8-9 * * *", "0 9 * JAN,jul mon-FRI", "0 0 * * 7", "0 0 29 2 *",
    "0 0 13 * 5", "0 0 */2 * 1", "@hourly", "@daily", "@weekly", "@monthly", "@yearly",
    "30 2 * * *", "0,30 2 * * *", "30 * * * *", "*/20 6-8 1,15 * mon-fri", "0 12 1-7 * sun",
    "7 1,3,5,22 * 2-11/3 *", "59 23 31 * *", "0 0 1 1 sat-sun",
  ]
  static let zones: [String?] = [nil, "Europe/Berlin", "America/New_York"]

  @Test(arguments: expressions, zones)
  func systemdAgreesWithTheLibrary(_ text: String, _ zone: String?) throws {
    let cron = try CronExpression(parsing: text)
    let lines = SystemdCalendar.onCalendar(cron, zone: zone)
    // A June morning: five due times from it cross no daylight-saving change
    // (the two disagree there: systemd skips a time that does not exist).
    let base = "2025-06-03 10:00:30 UTC"
    let result = try system(
      ["env", "TZ=UTC", "systemd-analyze", "calendar", "--iterations=5", "--base-time=\(base)"]
        + lines)
    #expect(result.status == 0, "systemd-analyze refused \(lines): \(result.output)")
    // Each line's own next five; the first five of them all is what a timer with every line does.
    let elapses = Set(result.output.split(separator: "\n").compactMap(Self.elapse)).sorted()
    let schedule = CronSchedule(
      expression: cron, timeZone: ZoneInfo.named(zone ?? "UTC")!)
    let expected = schedule.next(5, after: Timestamp.parse("2025-06-03T10:00:30Z")!)
    #expect(Array(elapses.prefix(5)) == expected, "\(lines)")
  }

  @Test func fieldsBecomeListsAndRanges() throws {
    #expect(
      SystemdCalendar.onCalendar(try CronExpression(parsing: "*/20 6-8 1,15 * mon-fri"), zone: nil)
        == ["*-*-01,15 06..08:00,20,40:00", "Mon..Fri *-*-* 06..08:00,20,40:00"])
    #expect(
      SystemdCalendar.onCalendar(try CronExpression(parsing: "@daily"), zone: "Europe/Berlin")
        == ["*-*-* 00:00:00 Europe/Berlin"])
  }

  /// `Next elapse: Tue 2025-06-03 10:15:00 UTC` or `Iter. #2: …`.
  static func elapse(_ line: Substring) -> Date? {
    guard line.contains("Next elapse:") || line.contains("Iter. #") else { return nil }
    let words = line.split(separator: " ")
    guard words.count >= 4, words.last == "UTC" else { return nil }
    let date = words[words.count - 3]
    let time = words[words.count - 2]
    return Timestamp.parse("\(date)T\(time)Z")
  }
}
