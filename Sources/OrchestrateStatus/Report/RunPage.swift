import FoundationEssentials

/// `runs/<run_id>.html`: the run's timeline, its summary and every task's
/// outcome, resources, counters, error tail and logs. Served live, the part
/// that changes while the run goes on is fetched again every two seconds
/// and swapped in place (`live`), without reloading the page.
public enum RunPage {
  public static func render(_ view: RunView, links: ReportLinks, now: Date, live: Bool = false)
    -> String
  {
    let title = view.record.map { "\(view.runId): \($0.status.rawValue)" } ?? view.runId
    var body = "<h1>\(HTML.escape(view.runId))"
    if let record = view.record { body += " \(StatusMark(record.status).badge)" }
    body += "</h1>"
    body += liveSection(view, links: links, now: now)
    return PageFrame.render(
      title: title,
      crumbs: [
        ("orchestrate", ReportLinks.overview),
        (
          view.pipeline,
          ReportLinks.pipeline(view.pipeline, environment: view.record?.environment)
        ), (view.runId, nil),
      ], body: body,
      script: live && view.record?.status == .running ? liveScript : nil)
  }

  /// The part of the page a live view swaps in: everything below the title.
  public static func liveSection(_ view: RunView, links: ReportLinks, now: Date) -> String {
    guard let record = view.record else {
      return """
        <section id="live" data-running="false"><p>\(StatusMark(HealthLevel.critical).badge) \
        The record <code>metrics/\(HTML.escape(view.pipeline))/\(HTML.escape(view.runId)).json</code> \
        is damaged or not a run record; nothing else can be shown for this run.</p></section>
        """
    }
    let running = record.status == .running
    var html = "<section id=\"live\" data-running=\"\(running)\">"
    html += facts(record, now: now)
    if let anomalies = record.anomalies, !anomalies.isEmpty {
      html +=
        "<h2>Anomalies</h2><ul class=\"problems\">"
        + anomalies.map { "<li>⚑ \(HTML.escape($0.sentence))</li>" }.joined()
        + "</ul>"
    }
    if let progress = view.running, !progress.tasks.isEmpty {
      html += "<h2>Progress</h2>"
      html += RunningSection.render([(view.pipeline, progress)], links: links, fromOverview: false)
    }
    html += totals(record)
    html += "<h2>Timeline</h2>" + RunTimeline.render(record, now: now) + RunTimeline.legend
    html += "<h2>Tasks</h2>" + RunTaskTable.render(record, links: links)
    html += RunPhaseTable.render(record, now: now)
    html += errorTails(record)
    return html + "</section>"
  }

  static func facts(_ record: RunRecord, now: Date) -> String {
    var items: [(String, String)] = [
      ("started (UTC)", ReportFormat.time(record.startedAt)),
      (
        record.status == .running ? "elapsed" : "duration",
        ReportFormat.seconds(record.durationSeconds ?? now.timeIntervalSince(record.startedAt))
      ),
      ("tasks", countsText(record.counts)),
      ("host, pid", "\(record.host), \(record.pid)"),
      ("trigger, user", "\(record.trigger.rawValue), \(record.user)"),
      ("max parallel", "\(record.maxParallel)"),
    ]
    if let finished = record.finishedAt {
      items.insert(("finished (UTC)", ReportFormat.time(finished)), at: 1)
    }
    if let reason = record.reason { items.append(("reason", reason)) }
    if let code = record.exitCode { items.append(("exit code", "\(code)")) }
    if !record.sourceFilter.isEmpty {
      items.append(("sources", record.sourceFilter.joined(separator: ", ")))
    }
    if let original = record.rerunOf { items.append(("rerun of", original)) }
    if let rss = record.orchestratorPeakRssBytes {
      items.append(("orchestrator peak RSS", ReportFormat.bytes(rss)))
    }
    if let escaped = record.escapedProcesses, escaped > 0 {
      items.append(("escaped processes stopped", "\(escaped)"))
    }
    items.append(("orchestrate", record.orchestrateVersion))
    return "<div class=\"facts\">"
      + items.map { "<div><b>\(HTML.escape($0.0))</b>\(HTML.escape($0.1))</div>" }.joined()
      + "</div>"
  }

  /// The counters summed over each task's instances, before the timeline and
  /// the per-instance table: `extract: records 4,800 (biosample 2,080, …)`.
  static func totals(_ record: RunRecord) -> String {
    let lines = CounterTotal.lines(record.totals)
    guard !lines.isEmpty else { return "" }
    return "<h2>Counter totals</h2><ul class=\"totals\">"
      + lines.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>"
  }

  static func countsText(_ counts: TaskCounts) -> String {
    TaskStatus.allCases.compactMap { status in
      counts[status] > 0 ? "\(counts[status]) \(StatusMark(status).word)" : nil
    }.joined(separator: ", ")
  }

  static func errorTails(_ record: RunRecord) -> String {
    let failed = record.tasks.filter { $0.error?.isEmpty == false }
    guard !failed.isEmpty else { return "" }
    return "<h2>Error output</h2>"
      + failed.map { task in
        "<details open><summary>\(HTML.escape(task.name)): last lines of its output</summary><pre>\(HTML.escape(task.error ?? ""))</pre></details>"
      }.joined()
  }

  /// Fetches the live section again every two seconds while the run goes
  /// on; stops once the section says the run has ended.
  public static let liveScript = """
    (function(){var s=document.getElementById('live');\
    function tick(){fetch(location.pathname+'?live=1',{cache:'no-store'})\
    .then(function(r){return r.ok?r.text():null}).then(function(t){\
    if(t!==null){s.outerHTML=t;s=document.getElementById('live');}\
    if(s.dataset.running==='true'){setTimeout(tick,2000);}})\
    .catch(function(){setTimeout(tick,5000);});}\
    if(s&&s.dataset.running==='true'){setTimeout(tick,2000);}})();
    """

  /// For a `Content-Security-Policy` that allows this script and no other.
  public static var liveScriptHash: String {
    "sha256-" + Data(SHA256.digest(of: Data(liveScript.utf8))).base64EncodedString()
  }
}

/// Every task of a run: outcome, attempts, resources, counters, logs.
enum RunTaskTable {
  static func render(_ record: RunRecord, links: ReportLinks) -> String {
    var html = """
      <div class="scroll"><table><thead><tr><th>task</th><th>status</th><th>why</th>\
      <th class="num">exit</th><th class="num">duration</th><th class="num">peak RSS</th>\
      <th class="num">CPU</th><th>counters</th><th>logs</th></tr></thead><tbody>
      """
    for task in record.tasks {
      html += "<tr><td>\(HTML.escape(task.name))</td><td>\(StatusMark(task.status).badge)</td>"
      html += "<td>\(HTML.escape(task.reason ?? ""))</td>"
      let exit =
        task.signal.map { "signal \($0)" } ?? task.exitCode.map { "\($0)" } ?? "–"
      html += "<td class=\"num\">\(exit)</td>"
      html += "<td class=\"num\">\(ReportFormat.seconds(task.durationSeconds))</td>"
      html += "<td class=\"num\">\(ReportFormat.bytes(task.peakRssBytes))</td>"
      let cpu = task.cpuUserSeconds.map { $0 + (task.cpuSystemSeconds ?? 0) }
      html += "<td class=\"num\">\(ReportFormat.seconds(cpu))</td>"
      let counters = (task.metrics ?? [:]).sorted { $0.key < $1.key }.map {
        "\(HTML.escape($0.key)) \(ReportFormat.number($0.value))"
      }
      html += "<td>\(counters.joined(separator: "<br>"))</td><td>"
      html += task.attempts.map { attempt in
        let link = links.log(
          run: record.runId, task: task.name, attempt: attempt.number, file: attempt.logFile)
        return link.href.map { "<a href=\"\($0)\">\(HTML.escape(link.text))</a>" }
          ?? "<code>\(HTML.escape(link.text))</code>"
      }.joined(separator: "<br>")
      html += "</td></tr>"
    }
    return html + "</tbody></table></div>"
  }
}
