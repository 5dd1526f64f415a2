import FoundationEssentials

/// `pipelines/<name>.html`: runs over time, the task × run grid, per-task
/// trends with slow and anomaly marks, totals and counters over time,
/// resources, and the items its tasks reported (`ItemsSection`).
public enum PipelinePage {
  public static func render(_ history: PipelineHistory, links: ReportLinks, now: Date) -> String {
    let status = history.status
    var body =
      "<h1>\(HTML.escape(status.label)) \(StatusMark(status.health.level).badge)</h1>"
    if !status.health.problems.isEmpty {
      body +=
        "<ul class=\"problems\">"
        + status.health.problems.map {
          "<li>\(StatusMark($0.level).badge) \(HTML.escape($0.message))</li>"
        }.joined() + "</ul>"
    }
    if let items = history.items { body += ItemsSection.link(items) }
    body += facts(history, now: now)
    if !status.running.isEmpty {
      body += "<h2>Running now</h2>"
      body += RunningSection.render(
        status.running.map { (status.name, $0) }, links: links, fromOverview: false)
    }
    body += "<h2>Runs over time</h2>"
    let points = history.runs.map { RunPoints.point($0, links: links) }
    body += RunHistoryChart.render(
      points, p50: status.window.durationP50Seconds, p95: status.window.durationP95Seconds,
      first: history.runs.first.map { ReportFormat.shortTime(date($0.startedAt)) } ?? "",
      last: history.runs.last.map { ReportFormat.shortTime(date($0.startedAt)) } ?? "")
    body +=
      "<p class=\"muted\">The last \(history.runs.count) of \(history.totalRuns) runs; height is duration, the band spans p50 to p95 of completed runs in the last \(status.window.days) day(s).</p>"
    if let items = history.items {
      body += ItemsSection.render(items, links: links, now: now)
    }
    body += "<h2>Tasks by run</h2>" + TaskGrid.render(history.records, links: links)
    body += "<h2>Tasks</h2>" + taskTable(history)
    body += TotalsSection.render(
      history.detailed, last: history.records.last,
      anomalies: history.status.lastRun?.anomalies ?? [])
    body += counters(history.detailed)
    body += "<h2>Recent runs</h2>" + recentRuns(history.records, links: links)
    body += UnreadableSection.render(history.unreadable)
    return PageFrame.render(
      title: "\(status.label): \(status.health.level.rawValue.uppercased())",
      crumbs: [("orchestrate", ReportLinks.overview), (status.label, nil)], body: body)
  }

  static func facts(_ history: PipelineHistory, now: Date) -> String {
    let status = history.status
    var items: [(String, String)] = [
      ("runs recorded", "\(history.totalRuns)"),
      (
        "last \(status.window.days) day(s)",
        "\(status.window.runs) runs, \(ReportFormat.percent(status.window.successRate)) completed"
      ),
      (
        "duration p50 / p95",
        "\(ReportFormat.seconds(status.window.durationP50Seconds)) / \(ReportFormat.seconds(status.window.durationP95Seconds))"
      ),
      (
        "last success",
        status.lastSuccess.map { ReportFormat.age($0.startedAt, now: now) } ?? "never"
      ),
      ("schedule", status.schedule ?? "none"),
      ("next due (UTC)", ReportFormat.time(status.nextDue)),
      ("max age", status.maxAgeSeconds.map(ReportFormat.seconds) ?? "none (run by hand)"),
    ]
    if let missed = status.missed {
      items.append(("missed run due (UTC)", ReportFormat.time(missed.dueAt)))
    }
    if let failing = status.failingSince {
      items.append(
        ("failing since", "\(ReportFormat.time(failing.startedAt)) (\(failing.runs) runs)"))
    }
    return "<div class=\"facts\">"
      + items.map { "<div><b>\(HTML.escape($0.0))</b>\(HTML.escape($0.1))</div>" }.joined()
      + "</div>"
  }

  static func taskTable(_ history: PipelineHistory) -> String {
    let anomalies = history.status.lastRun?.anomalies ?? []
    let lastRecord = history.records.last
    var html = """
      <div class="scroll"><table><thead><tr><th>task</th><th>last \(ReportSource.sparkRuns) durations</th>\
      <th class="num">runs</th><th class="num">failures</th><th class="num">p50</th>\
      <th class="num">p95</th><th class="num">last</th><th class="num">peak RSS p95</th>\
      <th class="num">CPU (last)</th></tr></thead><tbody>
      """
    for task in history.status.tasks {
      let points = history.detailed.suffix(ReportSource.sparkRuns).compactMap { run in
        run.tasks.first { $0.name == task.name }.map { digest in
          let mark = StatusMark(digest.status)
          return ChartPoint(
            value: digest.durationSeconds, tone: mark.tone,
            title: "\(run.runId): \(mark.word), \(ReportFormat.seconds(digest.durationSeconds))")
        }
      }
      var marks = ""
      if task.slow {
        marks += " <span class=\"slow\" title=\"at least twice its usual duration\">▲ slow</span>"
      }
      let flagged = anomalies.filter { $0.task == task.name && $0.scope == nil }
      if !flagged.isEmpty {
        marks +=
          " <span class=\"slow\" title=\"\(HTML.escape(flagged.map(\.sentence).joined(separator: "; ")))\">⚑ anomaly</span>"
      }
      let cpu = lastRecord?.tasks.first { $0.name == task.name }.flatMap { record -> Double? in
        guard let user = record.cpuUserSeconds else { return nil }
        return user + (record.cpuSystemSeconds ?? 0)
      }
      html += "<tr><td>\(HTML.escape(task.name))\(marks)</td>"
      html += "<td>\(Sparkline.render(points, label: "durations of \(task.name)"))</td>"
      html += "<td class=\"num\">\(task.runs)</td><td class=\"num\">\(task.failures)</td>"
      html += "<td class=\"num\">\(ReportFormat.seconds(task.p50Seconds))</td>"
      html += "<td class=\"num\">\(ReportFormat.seconds(task.p95Seconds))</td>"
      html += "<td class=\"num\">\(ReportFormat.seconds(task.lastSeconds))</td>"
      html += "<td class=\"num\">\(ReportFormat.bytes(task.peakRssP95Bytes.map { Int($0) }))</td>"
      html += "<td class=\"num\">\(ReportFormat.seconds(cpu))</td></tr>"
    }
    return html + "</tbody></table></div>"
  }

  /// Counters over time, one sparkline per task and counter.
  static func counters(_ runs: [RunDigest]) -> String {
    var series: [String: [ChartPoint]] = [:]
    for run in runs.suffix(ReportSource.sparkRuns) {
      for task in run.tasks {
        for (name, value) in task.metrics ?? [:] {
          series["\(task.name) · \(name)", default: []].append(
            ChartPoint(
              value: value, tone: "s-run",
              title: "\(run.runId): \(name) = \(ReportFormat.number(value))"))
        }
      }
    }
    guard !series.isEmpty else { return "" }
    var html =
      "<h2>Counters</h2><div class=\"scroll\"><table><thead><tr><th>task · counter</th><th>last \(ReportSource.sparkRuns) runs</th><th class=\"num\">last</th><th class=\"num\">median</th></tr></thead><tbody>"
    for name in series.keys.sorted() {
      let points = series[name]!
      let values = points.compactMap(\.value)
      html += "<tr><td>\(HTML.escape(name))</td><td>\(Sparkline.render(points, label: name))</td>"
      html += "<td class=\"num\">\(ReportFormat.number(values.last))</td>"
      html += "<td class=\"num\">\(ReportFormat.number(Percentile.of(values, 50)))</td></tr>"
    }
    return html + "</tbody></table></div>"
  }

  static func recentRuns(_ records: [RunRecord], links: ReportLinks) -> String {
    guard !records.isEmpty else { return "<p class=\"muted\">No runs yet.</p>" }
    var html =
      "<div class=\"scroll\"><table><thead><tr><th>run</th><th>status</th><th>started (UTC)</th><th class=\"num\">duration</th><th>not completed</th></tr></thead><tbody>"
    for record in records.reversed() {
      let id = HTML.escape(record.runId)
      html +=
        "<tr><td>\(links.run(record.runId).map { "<a href=\"\($0)\">\(id)</a>" } ?? id)</td>"
      html += "<td>\(StatusMark(record.status).badge)</td>"
      html += "<td>\(ReportFormat.time(record.startedAt))</td>"
      html += "<td class=\"num\">\(ReportFormat.seconds(record.durationSeconds))</td>"
      let missed = record.tasks.filter { !$0.status.isDone && $0.status != .running }
      html +=
        "<td>\(missed.map { "\(HTML.escape($0.name)) <span class=\"muted\">\(StatusMark($0.status).word)</span>" }.joined(separator: ", "))</td></tr>"
    }
    return html + "</tbody></table></div>"
  }

  private static func date(_ seconds: Double) -> Date { Date(timeIntervalSince1970: seconds) }
}
