import FoundationEssentials

/// Seconds as people read them in orchestrate's output; here, below
/// everything that prints them (the scheduler's events, summaries, status,
/// pages, messages), so none of those reaches into another for it.
public enum DurationDisplay {
  /// `0.07s`, `9.50s`, then whole units (`12s`, `1m5s`): an event line's.
  /// Printed for every task, so by integer maths rather than `String(format:)`.
  public static func short(_ value: Double) -> String {
    guard value < 10 else { return DurationText.format(.seconds(value.rounded())) }
    let hundredths = Int((max(value, 0) * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)s"
  }

  /// `42.31s` under a minute, then whole units (`1h2m`): summaries and status.
  public static func summary(_ seconds: Double) -> String {
    if seconds < 60 { return String(printf: "%.2fs", seconds) }
    return DurationText.format(.seconds(seconds.rounded()))
  }
}
