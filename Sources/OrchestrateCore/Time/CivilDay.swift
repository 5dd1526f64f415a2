/// Calendar days counted from 1970-01-01, converted to and from year,
/// month and day in the proleptic Gregorian calendar (Howard Hinnant's
/// algorithms): cron's day arithmetic without a `Calendar` in the way.
struct CivilDay: Equatable {
  var year: Int
  var month: Int
  var day: Int

  init(year: Int, month: Int, day: Int) {
    self.year = year
    self.month = month
    self.day = day
  }

  init(daysSinceEpoch days: Int) {
    let shifted = days + 719_468
    let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
    let dayOfEra = shifted - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
  }

  var daysSinceEpoch: Int {
    let shiftedYear = month <= 2 ? year - 1 : year
    let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
    let yearOfEra = shiftedYear - era * 400
    let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  /// The day (days since 1970-01-01) that `seconds` since 1970 fall on;
  /// days before 1970 too (rounded down, not toward zero).
  static func daysSinceEpoch(ofSecond seconds: Int) -> Int {
    seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400)
  }

  /// Weekday names as cron, systemd, mail and HTTP write them; index 0 is Sunday.
  static let weekdayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

  /// A number of at most two digits with a leading zero (`7` → `07`).
  static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }

  /// 0 is Sunday, as in cron.
  static func weekday(daysSinceEpoch days: Int) -> Int {
    let weekday = (days + 4) % 7  // 1970-01-01 was a Thursday
    return weekday < 0 ? weekday + 7 : weekday
  }

  static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
    CivilDay(year: year, month: month, day: day).daysSinceEpoch
  }

  static func isLeapYear(_ year: Int) -> Bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
  }

  static func daysIn(month: Int, year: Int) -> Int {
    daysIn(month: month, leap: isLeapYear(year))
  }

  static func daysIn(month: Int, leap: Bool) -> Int {
    switch month {
    case 2: leap ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
  }
}
