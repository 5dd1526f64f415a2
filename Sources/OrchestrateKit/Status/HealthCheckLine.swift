/// The one line a Nagios-style check prints: `ORCHESTRATE CRITICAL - daily:
/// last run ... failed: ...; ingest: ...`, then the exit code says the rest.
public enum HealthCheckLine {
  public static let maximumLength = 1000

  public static func render(_ report: StatusReport) -> String {
    let health = report.health
    let label = "ORCHESTRATE \(health.level.rawValue.uppercased())"
    let worst = health.problems.sorted { $0.level > $1.level }.map(\.message)
    var text =
      worst.isEmpty
      ? "\(label) - \(report.pipelines.count) pipeline(s) healthy"
      : "\(label) - " + worst.joined(separator: "; ")
    if !report.unreadableFiles.isEmpty {
      text += "; \(report.unreadableFiles.count) unreadable metrics file(s)"
    }
    return text.count > maximumLength ? String(text.prefix(maximumLength - 1)) + "…" : text
  }
}
