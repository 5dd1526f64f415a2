import FoundationEssentials

/// Dates as mail and HTTP write them (RFC 5322, RFC 9110's IMF-fixdate):
/// `Mon, 30 Nov 2026 16:50:00 +0000`, in UTC, English names whatever the locale.
package enum InternetDate {
  package static let months = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  ]

  package static func format(_ date: Date) -> String {
    let seconds = Int(date.timeIntervalSince1970.rounded(.down))
    let days = CivilDay.daysSinceEpoch(ofSecond: seconds)
    let civil = CivilDay(daysSinceEpoch: days)
    let time = seconds - days * 86400
    return "\(CivilDay.weekdayNames[CivilDay.weekday(daysSinceEpoch: days)]), "
      + "\(CivilDay.twoDigits(civil.day)) \(months[civil.month - 1]) \(civil.year) "
      + "\(CivilDay.twoDigits(time / 3600)):\(CivilDay.twoDigits(time % 3600 / 60)):\(CivilDay.twoDigits(time % 60)) +0000"
  }

  /// `Sun, 06 Nov 1994 08:49:37 GMT` (the weekday is not checked); nil for
  /// anything else.
  package static func parse(_ text: String) -> Date? {
    let words = text.split(separator: " ")
    guard words.count == 6, words[0].hasSuffix(","), words[5] == "GMT" || words[5] == "+0000",
      let day = Int(words[1]), let month = months.firstIndex(of: String(words[2])),
      let year = Int(words[3]), (1...CivilDay.daysIn(month: month + 1, year: year)).contains(day)
    else { return nil }
    let clock = words[4].split(separator: ":").compactMap { Int($0) }
    guard clock.count == 3, (0..<24).contains(clock[0]), (0..<60).contains(clock[1]),
      (0...60).contains(clock[2])
    else { return nil }
    let days = CivilDay.daysSinceEpoch(year: year, month: month + 1, day: day)
    return Date(
      timeIntervalSince1970: Double(days * 86400 + clock[0] * 3600 + clock[1] * 60 + clock[2]))
  }
}
