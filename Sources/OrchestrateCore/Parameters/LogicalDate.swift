import FoundationEssentials

/// The date a run is for (`ORCHESTRATE_DATE`, YYYY-MM-DD): the day of its
/// start in the pipeline's time zone, less the pipeline's `date_offset`,
/// unless `--date` says otherwise.
public enum LogicalDate {
  public static func of(start: Date, offset: Duration, timeZone: ZoneInfo = .local) -> String {
    format(start.addingTimeInterval(-offset.seconds), timeZone: timeZone)
  }

  static func format(_ date: Date, timeZone: ZoneInfo) -> String {
    let seconds = Int(date.timeIntervalSince1970.rounded(.down))
    let local = seconds + timeZone.secondsFromGMT(at: seconds)
    let day = CivilDay(daysSinceEpoch: CivilDay.daysSinceEpoch(ofSecond: local))
    return String(printf: "%04d-%02d-%02d", day.year, day.month, day.day)
  }

  /// A real calendar date written YYYY-MM-DD (2026-02-30 is not).
  public static func isValid(_ text: String) -> Bool {
    parse(text) != nil
  }

  /// Midnight UTC of the date, for stepping through a range of dates.
  public static func parse(_ text: String) -> Date? {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
      let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
    else { return nil }
    guard (1...12).contains(month), (1...CivilDay.daysIn(month: month, year: year)).contains(day)
    else { return nil }
    return Date(
      timeIntervalSince1970: Double(
        CivilDay.daysSinceEpoch(year: year, month: month, day: day) * 86400))
  }

  /// Every date from `first` to `last`, both included, oldest first.
  public static func range(from first: String, to last: String) -> [String]? {
    guard let start = parse(first), let end = parse(last), start <= end else { return nil }
    return stride(from: 0, through: Int(end.timeIntervalSince(start) / 86400), by: 1).map {
      format(start.addingTimeInterval(Double($0) * 86400), timeZone: .utc)
    }
  }
}
