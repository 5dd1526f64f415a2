import FoundationEssentials

/// How pages write numbers and times: UTC everywhere, as the records hold them.
enum ReportFormat {
  static func seconds(_ value: Double?) -> String {
    guard let value else { return "–" }
    return DurationDisplay.summary(value)
  }

  /// `2026-11-22 02:00:04`, always UTC (the records' clock).
  static func time(_ date: Date?) -> String {
    guard let date else { return "–" }
    let text = Timestamp.format(date)
    return String(text.prefix(19)).replacing("T", with: " ")
  }

  /// `11-22 02:00`: column headers and axis labels.
  static func shortTime(_ date: Date) -> String {
    let text = time(date)
    return String(text.dropFirst(5).prefix(11))
  }

  static func bytes(_ value: Int?) -> String {
    value.map { ByteCount.format(Int64($0)) } ?? "–"
  }

  static func percent(_ ratio: Double?) -> String {
    guard let ratio else { return "–" }
    return String(printf: "%.0f%%", ratio * 100)
  }

  /// Counters: integers without a fraction, thousands separated.
  static func number(_ value: Double?) -> String {
    value.map(CounterDisplay.format) ?? "–"
  }

  /// How long ago, for the overview: `3h ago`.
  static func age(_ date: Date, now: Date) -> String {
    let seconds = now.timeIntervalSince(date)
    guard seconds >= 0 else { return "in " + DurationDisplay.summary(-seconds) }
    if seconds < 60 { return "just now" }
    return DurationText.format(.seconds((seconds / 60).rounded() * 60)) + " ago"
  }
}
