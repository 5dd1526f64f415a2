import FoundationEssentials

/// Durations as pipeline files write them: `90s`, `45m`, `2h`, `7d`, `500ms`,
/// compounds such as `1h30m`, or a plain number of seconds (`30`, `0.5`).
public enum DurationText {
  private static let unitSeconds: [(suffix: String, seconds: Double)] = [
    ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 604_800),
  ]

  /// Parses `text`; nil when it is not a non-negative duration.
  public static func parse(_ text: String) -> Duration? {
    let trimmed = text.trimmed
    if trimmed.isEmpty { return nil }
    if let plain = Double(trimmed) {
      return plain.isFinite && plain >= 0 ? duration(plain) : nil
    }
    var total = 0.0
    var rest = Substring(trimmed)
    while !rest.isEmpty {
      let number = rest.prefix { $0.isNumber || $0 == "." }
      guard !number.isEmpty, let value = Double(number) else { return nil }
      rest = rest.dropFirst(number.count)
      let unit = rest.prefix { $0.isLetter }
      guard let match = unitSeconds.first(where: { $0.suffix == unit.lowercased() }) else {
        return nil
      }
      rest = rest.dropFirst(unit.count)
      total += value * match.seconds
    }
    return total.isFinite ? duration(total) : nil
  }

  /// Whole seconds exactly: `Duration.seconds(Double)` turns 93600.0 into
  /// 93599.99999999999 s, which records and status would show.
  private static func duration(_ seconds: Double) -> Duration {
    seconds == seconds.rounded() && abs(seconds) < 9e15
      ? .seconds(Int64(seconds)) : .seconds(seconds)
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
  var milliseconds: Int64 {
    let (whole, attoseconds) = components
    return whole * 1000 + attoseconds / 1_000_000_000_000_000
  }
}
