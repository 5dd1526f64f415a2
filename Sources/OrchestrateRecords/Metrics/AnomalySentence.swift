import FoundationEssentials

extension Anomaly {
  /// `load: documents_loaded 12 is 0.01× its median 1,500`, and for a total
  /// `extract total: records 1,200 is 0.25× its median 4,800`: how
  /// summaries, status, pages and messages all put it. Counters are grouped
  /// as totals are (`CounterDisplay`).
  public var sentence: String {
    func number(_ value: Double) -> String {
      field == "duration_seconds" && scope == nil
        ? DurationDisplay.summary(value) : CounterDisplay.format(value)
    }
    let shown = factor < 10 ? String(printf: "%.2f", factor) : String(printf: "%.0f", factor)
    let subject = scope == .total ? "\(task) total" : task
    return "\(subject): \(field) \(number(value)) is \(shown)× its median \(number(median))"
  }
}
