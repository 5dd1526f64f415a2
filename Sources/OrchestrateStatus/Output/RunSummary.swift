import FoundationEssentials

/// The few lines printed when a run ends: outcome and totals, one line per
/// task that did not complete, where the record is.
public enum RunSummary {
  public static func render(_ record: RunRecord, metricsFile: String, style: TerminalStyle)
    -> String
  {
    let counts = record.counts
    var totals = ["\(counts.completed) of \(counts.total) tasks completed"]
    for status in [TaskStatus.failed, .timedOut, .cancelled, .skipped, .notWanted]
    where counts[status] > 0 {
      totals.append("\(counts[status]) \(status.rawValue.replacing("_", with: " "))")
    }
    let duration = record.durationSeconds.map { " in \(DurationDisplay.summary($0))" } ?? ""
    let status =
      switch record.status {
      case .completed: style.green(record.status.rawValue)
      case .partial: style.yellow(record.status.rawValue)
      default: style.red(record.status.rawValue)
      }
    var lines = [
      "\(style.bold(record.pipeline)) \(status)\(duration): \(totals.joined(separator: ", "))"
    ]
    if let reason = record.reason { lines.append("  \(TerminalText.escaped(reason))") }
    let width = record.tasks.filter { !$0.status.isDone }.map(\.name.count).max() ?? 0
    for task in record.tasks where !task.status.isDone {
      var line = "  \(task.status.rawValue.padded(to: 9)) "
      line += task.name.padded(to: width)
      let reason = task.reason.map(TerminalText.escaped)
      if let reason { line += "  \(reason)" }
      // The error's last line, unless it only repeats the reason (a task
      // that could not start has one line for both).
      if let last = task.error.flatMap({ TerminalText.lines($0).last { !$0.isEmpty } }),
        last != reason
      {
        line += style.dim(" | \(last.prefix(120))")
      }
      lines.append(line)
    }
    for anomaly in record.anomalies ?? [] {
      lines.append("  \(style.yellow("anomaly"))   \(anomaly.sentence)")
    }
    lines.append("metrics: \(metricsFile)")
    return lines.joined(separator: "\n")
  }

}
