import FoundationEssentials

/// Due times as people read them: the weekday, date and time on the
/// schedule's own clock, with its UTC offset (`Thu 2025-06-05 02:00 +02:00`).
public enum DueTime {
  static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

  /// `zone` is an IANA name; nil is the machine's local zone.
  public static func format(_ date: Date, zone: String?) -> String {
    format(date, in: zone.flatMap(ZoneInfo.named) ?? .local)
  }

  public static func format(_ date: Date, in zone: ZoneInfo) -> String {
    let seconds = Int(date.timeIntervalSince1970.rounded(.down))
    let offset = zone.secondsFromGMT(for: date)
    let local = seconds + offset
    let day = Int((Double(local) / 86400).rounded(.down))
    let civil = CivilDay(daysSinceEpoch: day)
    let minutes = (local - day * 86400) / 60
    let sign = offset < 0 ? "-" : "+"
    return "\(weekdays[CivilDay.weekday(daysSinceEpoch: day)]) "
      + "\(civil.year)-\(two(civil.month))-\(two(civil.day)) "
      + "\(two(minutes / 60)):\(two(minutes % 60)) "
      + "\(sign)\(two(abs(offset) / 3600)):\(two(abs(offset) % 3600 / 60))"
  }

  private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
}
