/// A cron expression as systemd `OnCalendar=` lines, value for value: each
/// field becomes a list of values and `a..b` ranges. systemd requires the
/// weekday and the date both to match, so Vixie cron's OR of day of month
/// and day of week (both restricted) becomes two lines, one for each.
public enum SystemdCalendar {
  /// `zone`: an IANA name appended to every line; nil leaves systemd on local time.
  public static func onCalendar(_ cron: CronExpression, zone: String?) -> [String] {
    let time = "\(list(cron.hourValues, all: 0...23)):\(list(cron.minuteValues, all: 0...59)):00"
    let months = list(cron.monthValues, all: 1...12)
    let days = list(cron.dayOfMonthValues, all: 1...31)
    let weekdays = weekdayList(cron.dayOfWeekValues)
    let suffix = zone.map { " \($0)" } ?? ""
    func line(_ weekdays: String?, _ days: String) -> String {
      (weekdays.map { "\($0) " } ?? "") + "*-\(months)-\(days) \(time)" + suffix
    }
    if !cron.dayOfMonthIsStar && !cron.dayOfWeekIsStar {
      return [line(nil, days), line(weekdays, "*")]
    }
    return [line(weekdays, days)]
  }

  /// `*` for every value, else values and runs of three or more as `a..b`,
  /// two digits each.
  static func list(_ values: [Int], all: ClosedRange<Int>) -> String {
    if values == Array(all) { return "*" }
    return runs(values).map { run in
      run.count >= 3
        ? "\(CivilDay.twoDigits(run.first!))..\(CivilDay.twoDigits(run.last!))"
        : run.map(CivilDay.twoDigits).joined(separator: ",")
    }.joined(separator: ",")
  }

  /// nil when every day of the week is allowed.
  static func weekdayList(_ values: [Int]) -> String? {
    guard values.count < 7 else { return nil }
    return runs(values).map { run in
      run.count >= 3
        ? "\(CivilDay.weekdayNames[run.first!])..\(CivilDay.weekdayNames[run.last!])"
        : run.map { CivilDay.weekdayNames[$0] }.joined(separator: ",")
    }.joined(separator: ",")
  }

  /// Consecutive values grouped.
  private static func runs(_ values: [Int]) -> [[Int]] {
    var runs: [[Int]] = []
    for value in values {
      if let last = runs.last?.last, last + 1 == value {
        runs[runs.count - 1].append(value)
      } else {
        runs.append([value])
      }
    }
    return runs
  }
}
