/// How often a cron expression fires, roughly: enough to say how old the
/// last successful run may be before something is wrong.
public enum CronPeriod {
  /// Seconds between runs; nil for expressions this does not understand.
  public static func seconds(_ schedule: String) -> Double? {
    let fields = schedule.split(whereSeparator: \.isWhitespace).map(String.init)
    if fields.count == 1 {
      return [
        "@hourly": 3600, "@daily": 86400, "@midnight": 86400, "@weekly": 7 * 86400,
        "@monthly": 31 * 86400, "@yearly": 366 * 86400, "@annually": 366 * 86400,
      ][fields[0]]
    }
    guard fields.count == 5 else { return nil }
    let (minute, hour, dayOfMonth, dayOfWeek) = (fields[0], fields[1], fields[2], fields[4])
    if dayOfMonth != "*" && dayOfWeek == "*" { return 31 * 86400 / firings(dayOfMonth) }
    if dayOfWeek != "*" { return 7 * 86400 / firings(dayOfWeek) }
    if hour != "*" && !hour.hasPrefix("*/") { return 86400 / firings(hour) }
    let hourStep = hour.hasPrefix("*/") ? Double(hour.dropFirst(2)) ?? 1 : 1
    if minute == "*" { return 60 }
    if minute.hasPrefix("*/") { return (Double(minute.dropFirst(2)) ?? 1) * 60 }
    return hourStep * 3600 / firings(minute)
  }

  /// The oldest a last successful run may be: one period plus a twelfth for
  /// lateness (26 hours for a daily schedule, or when there is none).
  public static func defaultMaxAge(schedule: String?) -> Double {
    let period = schedule.flatMap(seconds) ?? 86400
    return period * 13 / 12
  }

  /// How many values a field lists: `1,15` → 2, `1-5` → 5, `*/6` in hours → 4.
  private static func firings(_ field: String) -> Double {
    var count = 0.0
    for part in field.split(separator: ",") {
      let bounds = part.split(separator: "-").compactMap { Int($0.prefix { $0.isNumber }) }
      count += bounds.count == 2 ? Double(max(bounds[1] - bounds[0] + 1, 1)) : 1
    }
    return max(count, 1)
  }
}
