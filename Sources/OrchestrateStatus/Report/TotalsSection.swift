/// The pipeline page's totals over time: each counter of a task run per
/// source summed over its instances, one bar per recent run, so that a total that sank
/// while every source still looked fine on its own is seen at a glance.
enum TotalsSection {
  /// - Parameters:
  ///   - runs: recent runs with their task digests, oldest first.
  ///   - last: the newest run's record, whose totals give each source's share.
  ///   - anomalies: the newest run's, whose totals are marked.
  static func render(_ runs: [RunDigest], last: RunRecord?, anomalies: [Anomaly]) -> String {
    let window = runs.suffix(ReportSource.sparkRuns)
    let totals = window.map(\.counterTotals)
    // Only tasks run per source: another task's total is its one counter,
    // shown under Counters already.
    var perSource = Set<String>()
    for run in window {
      for task in run.tasks {
        if let bracket = task.name.firstIndex(of: "[") {
          perSource.insert(String(task.name[..<bracket]))
        }
      }
    }
    var names = Set<Name>()
    for run in totals {
      for (task, counters) in run where perSource.contains(task) {
        for counter in counters.keys { names.insert(Name(task, counter)) }
      }
    }
    guard !names.isEmpty else { return "" }
    var html =
      "<h2>Totals</h2><div class=\"scroll\"><table><thead><tr><th>task · counter</th><th>last \(ReportSource.sparkRuns) runs</th><th class=\"num\">last</th><th class=\"num\">median (completed)</th><th>sources (last run)</th></tr></thead><tbody>"
    for name in names.sorted() {
      var points: [ChartPoint] = []
      var completed: [Double] = []
      for (run, counters) in zip(window, totals) {
        let value = counters[name.task]?[name.counter]
        let mark = StatusMark(run.status)
        if run.status == .completed, let value { completed.append(value) }
        points.append(
          ChartPoint(
            value: value, tone: mark.tone,
            title: "\(run.runId): \(mark.word), \(name.counter) \(ReportFormat.number(value))"))
      }
      let label = "\(name.task) · \(name.counter)"
      let flagged = anomalies.filter {
        $0.scope == .total && $0.task == name.task && $0.field == name.counter
      }
      var mark = ""
      if !flagged.isEmpty {
        mark =
          " <span class=\"slow\" title=\"\(HTML.escape(flagged.map(\.sentence).joined(separator: "; ")))\">⚑ anomaly</span>"
      }
      let shares = (last?.totals?[name.task]?[name.counter]?.bySource ?? [:])
        .sorted { $0.key < $1.key }
        .map { "\($0.key) \(CounterDisplay.format($0.value))" }.joined(separator: ", ")
      html += "<tr><td>\(HTML.escape(label))\(mark)</td>"
      html += "<td>\(Sparkline.render(points, label: "totals of \(label)"))</td>"
      html += "<td class=\"num\">\(ReportFormat.number(points.last?.value))</td>"
      html += "<td class=\"num\">\(ReportFormat.number(Percentile.of(completed, 50)))</td>"
      html += "<td class=\"muted\">\(HTML.escape(shares.isEmpty ? "–" : shares))</td></tr>"
    }
    return html + "</tbody></table></div>"
  }

  struct Name: Hashable, Comparable {
    var task: String
    var counter: String

    init(_ task: String, _ counter: String) {
      self.task = task
      self.counter = counter
    }

    static func < (a: Name, b: Name) -> Bool { (a.task, a.counter) < (b.task, b.counter) }
  }
}
