import FoundationEssentials

/// Due times as people read them: the weekday, date and time on the
/// schedule's own clock, with its UTC offset (`Thu 2025-06-05 02:00 +02:00`).
public enum DueTime {
  /// `zone` is an IANA name; nil is the machine's local zone.
  public static func format(_ date: Date, zone: String?) -> String {
    format(date, in: zone.flatMap(ZoneInfo.named) ?? .local)
  }

  public static func format(_ date: Date, in zone: ZoneInfo) -> String {
    let seconds = Int(date.timeIntervalSince1970.rounded(.down))
    let offset = zone.secondsFromGMT(for: date)
    let local = seconds + offset
    let day = CivilDay.daysSinceEpoch(ofSecond: local)
    let civil = CivilDay(daysSinceEpoch: day)
    let minutes = (local - day * 86400) / 60
    let sign = offset < 0 ? "-" : "+"
    return "\(CivilDay.weekdayNames[CivilDay.weekday(daysSinceEpoch: day)]) "
      + "\(civil.year)-\(CivilDay.twoDigits(civil.month))-\(CivilDay.twoDigits(civil.day)) "
      + "\(CivilDay.twoDigits(minutes / 60)):\(CivilDay.twoDigits(minutes % 60)) "
      + "\(sign)\(CivilDay.twoDigits(abs(offset) / 3600)):\(CivilDay.twoDigits(abs(offset) % 3600 / 60))"
  }
}
