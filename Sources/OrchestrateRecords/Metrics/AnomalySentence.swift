import FoundationEssentials

extension Anomaly {
  /// `load: documents_loaded 12 is 0.01× its median 1500`: how summaries,
  /// status, pages and messages all put it.
  public var sentence: String {
    func number(_ value: Double) -> String {
      field == "duration_seconds"
        ? DurationDisplay.summary(value)
        : value == value.rounded() && abs(value) < 1e15
          ? String(Int(value)) : String(printf: "%.2f", value)
    }
    let shown = factor < 10 ? String(printf: "%.2f", factor) : String(printf: "%.0f", factor)
    return "\(task): \(field) \(number(value)) is \(shown)× its median \(number(median))"
  }
}
