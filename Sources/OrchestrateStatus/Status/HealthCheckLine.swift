import FoundationEssentials

/// What a Nagios-style check prints: the first line is the summary with
/// performance data after `|`, the following lines the detail, one
/// problem each: `ORCHESTRATE CRITICAL - bad: last run … failed … (+1 more) | 'bad_last_duration'=12.5s;;;0 …`.
public enum HealthCheckLine {
  public static let maximumLength = 1000

  public static func render(_ report: StatusReport) -> String {
    let health = report.health
    let label = "ORCHESTRATE \(health.level.rawValue.uppercased())"
    // Worst first; the rules' own order among problems of one level.
    let worst = health.problems.enumerated().sorted {
      ($0.element.level, $1.offset) > ($1.element.level, $0.offset)
    }.map(\.element)
    var summary: String
    if let first = worst.first {
      summary = "\(label) - \(first.message)"
      if worst.count > 1 { summary += " (+\(worst.count - 1) more)" }
    } else {
      summary = "\(label) - \(report.pipelines.count) pipeline(s) healthy"
    }
    if !report.unreadableFiles.isEmpty {
      summary += "; \(report.unreadableFiles.count) unreadable metrics file(s)"
    }
    if summary.count > maximumLength { summary = String(summary.prefix(maximumLength - 1)) + "…" }
    let performance = report.pipelines.flatMap(performanceData)
    var lines = [
      performance.isEmpty ? summary : "\(summary) | \(performance.joined(separator: " "))"
    ]
    lines += worst.map { "\($0.level.rawValue.uppercased()): \($0.message)" }
    lines += report.unreadableFiles.map { "unreadable: \($0.path) (\($0.reason))" }
    return lines.joined(separator: "\n")
  }

  /// Last duration, success rate in the window and runs in progress, in
  /// the plugin format `'label'=value[unit];warn;crit;min;max`.
  static func performanceData(_ pipeline: PipelineStatus) -> [String] {
    let label = (pipeline.environment.map { "\(pipeline.name)_\($0)" } ?? pipeline.name)
      .replacing("'", with: "_")
    var data: [String] = []
    if let duration = pipeline.lastRun?.durationSeconds {
      data.append("'\(label)_last_duration'=\(decimal(duration))s;;;0")
    }
    if let rate = pipeline.window.successRate {
      data.append(
        "'\(label)_success_rate'=\(decimal(rate * 100))%;\(decimal(pipeline.minSuccessRate * 100)):;;0;100"
      )
    }
    data.append("'\(label)_running'=\(pipeline.running.count);;;0")
    return data
  }

  /// Three decimals at most, no exponent: what every plugin parser reads.
  public static func decimal(_ value: Double) -> String {
    var text = String(printf: "%.3f", value)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
  }
}
