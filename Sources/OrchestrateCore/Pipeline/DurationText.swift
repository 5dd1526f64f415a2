import FoundationEssentials

/// Durations as pipeline files write them: `90s`, `45m`, `2h`, `7d`, `500ms`,
/// compounds such as `1h30m`, or a plain number of seconds (`30`, `0.5`).
public enum DurationText {
  private static let unitSeconds: [(suffix: String, seconds: Double)] = [
    ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 604_800),
  ]

  /// The longest duration a file may give: a hundred years. Anything longer
  /// is a typo, and would overflow the clock arithmetic it feeds (a deadline
  /// is now plus the duration); `never` switches a limit off.
  public static let maximum = Duration.seconds(36500 * 86400)

  public enum Problem: Error, Equatable {
    case notADuration
    case outOfRange
  }

  /// Parses `text`; nil when it is not a duration from zero to `maximum`.
  public static func parse(_ text: String) -> Duration? {
    try? read(text).get()
  }

  /// Parses `text`, saying why it is not a duration.
  public static func read(_ text: String) -> Result<Duration, Problem> {
    let trimmed = text.trimmed
    if trimmed.isEmpty { return .failure(.notADuration) }
    if let plain = Double(trimmed) {
      return plain >= 0 ? duration(plain) : .failure(.notADuration)
    }
    var total = 0.0
    var rest = Substring(trimmed)
    while !rest.isEmpty {
      let number = rest.prefix { $0.isNumber || $0 == "." }
      guard !number.isEmpty, let value = Double(number) else { return .failure(.notADuration) }
      rest = rest.dropFirst(number.count)
      let unit = rest.prefix { $0.isLetter }
      guard let match = unitSeconds.first(where: { $0.suffix == unit.lowercased() }) else {
        return .failure(.notADuration)
      }
      rest = rest.dropFirst(unit.count)
      total += value * match.seconds
    }
    return duration(total)
  }

  /// A number of seconds as a duration, when it is from zero to `maximum`.
  public static func duration(seconds: Double) -> Result<Duration, Problem> {
    seconds >= 0 ? duration(seconds) : .failure(.notADuration)
  }

  /// Whole seconds exactly: `Duration.seconds(Double)` turns 93600.0 into
  /// 93599.99999999999 s, which records and status would show.
  private static func duration(_ seconds: Double) -> Result<Duration, Problem> {
    guard seconds.isFinite, seconds <= maximum.seconds else { return .failure(.outOfRange) }
    return .success(seconds == seconds.rounded() ? .seconds(Int64(seconds)) : .seconds(seconds))
  }

  /// A readable exact spelling: `1h30m`, `1m30s`, `0.25s`.
  public static func format(_ duration: Duration) -> String {
    let seconds = duration.seconds
    if seconds == 0 { return "0s" }
    if seconds < 1 || seconds != seconds.rounded() {
      return "\(trim(seconds))s"
    }
    var remaining = Int(seconds)
    var text = ""
    for (suffix, size) in [("d", 86400), ("h", 3600), ("m", 60), ("s", 1)] where remaining >= size {
      text += "\(remaining / size)\(suffix)"
      remaining %= size
    }
    return text
  }

  private static func trim(_ value: Double) -> String {
    String(printf: "%.3f", value).droppingTrailingZeros()
  }
}

extension Duration {
  /// The duration as floating-point seconds, the unit of the metrics files.
  public var seconds: Double {
    let (whole, attoseconds) = components
    return Double(whole) + Double(attoseconds) / 1e18
  }

  /// Whole milliseconds, as the run journal writes them.
  package var milliseconds: Int64 {
    let (whole, attoseconds) = components
    return whole * 1000 + attoseconds / 1_000_000_000_000_000
  }
}
