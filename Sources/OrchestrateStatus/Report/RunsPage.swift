import FoundationEssentials

/// `runs.html` under `orchestrate serve`: the list `orchestrate runs`
/// prints, its filters as rows of links (a page may submit no form), each
/// link the same query with one filter changed. A written report has no
/// server to filter for it: its page is `WrittenRunsPage`.
public enum RunsPage {
  /// `list` is nil when `problem` refused the query.
  public static func render(
    _ list: RunList?, words: RunFilter.Words, problem: String?, pipelines: [String],
    links: ReportLinks
  ) -> String {
    var body = "<h1>Runs</h1>"
    body += filters(words, pipelines: pipelines, environments: list.map(environments) ?? [])
    if let problem {
      body +=
        "<p><span class=\"badge s-bad\"><span aria-hidden=\"true\">✗</span> refused</span> \(HTML.escape(problem))</p>"
    }
    if let list {
      body += "<p class=\"muted\">\(summary(list))</p>"
      body +=
        list.runs.isEmpty ? "<p class=\"muted\">No runs match.</p>" : table(list, links: links)
      body += UnreadableSection.render(list.unreadableFiles)
    }
    return PageFrame.render(
      title: "orchestrate: runs", crumbs: [("orchestrate", "index.html"), ("runs", nil)],
      body: body)
  }

  static func summary(_ list: RunList) -> String {
    let shown =
      list.runs.count < list.matching
      ? "The newest \(list.runs.count) of \(list.matching) matching runs"
      : "\(list.matching) matching run(s)"
    var text = shown + ", newest first"
    if let since = list.since { text += ", started from \(ReportFormat.time(since)) UTC" }
    if let until = list.until { text += ", before \(ReportFormat.time(until)) UTC" }
    return text + "."
  }

  static func environments(_ list: RunList) -> [String] {
    Array(Set(list.runs.compactMap(\.environment))).sorted()
  }

  /// One row per filter; the chosen value is marked, and "any" clears it.
  static func filters(_ words: RunFilter.Words, pipelines: [String], environments: [String])
    -> String
  {
    let chosenStatuses = Set(words.statuses.flatMap { $0.split(separator: ",").map(String.init) })
    var rows: [(String, [String])] = []
    rows.append(
      (
        "pipeline",
        [link("any", words, { $0.pipelines = [] }, on: words.pipelines.isEmpty)]
          + pipelines.map { name in
            link(name, words, { $0.pipelines = [name] }, on: words.pipelines == [name])
          }
      ))
    rows.append(
      (
        "status",
        [link("any", words, { $0.statuses = [] }, on: chosenStatuses.isEmpty)]
          + RunStatus.allCases.map(\.rawValue).map { status in
            // Statuses add up: each link toggles one.
            let on = chosenStatuses.contains(status)
            let toggled = on ? chosenStatuses.subtracting([status]) : chosenStatuses.union([status])
            return link(status, words, { $0.statuses = toggled.sorted() }, on: on)
          }
      ))
    let environment = words.environment.flatMap { $0.isEmpty ? nil : $0 }
    rows.append(
      (
        "environment",
        [link("any", words, { $0.environment = nil }, on: environment == nil)]
          + Array(Set(environments + (environment.map { [$0] } ?? []))).sorted().map { name in
            link(name, words, { $0.environment = name }, on: environment == name)
          }
      ))
    let since = words.since.flatMap { $0.isEmpty ? nil : $0 }
    rows.append(
      (
        "started",
        [link("any time", words, { $0.since = nil }, on: since == nil)]
          + (["1d", "7d", "14d", "30d"] as [String]).map { span in
            link("last \(span)", words, { $0.since = span }, on: since == span)
          }
      ))
    let trigger = words.trigger.flatMap { $0.isEmpty ? nil : $0 }
    rows.append(
      (
        "trigger",
        [link("any", words, { $0.trigger = nil }, on: trigger == nil)]
          + RunTrigger.allCases.map(\.rawValue).map { name in
            link(name, words, { $0.trigger = name }, on: trigger == name)
          }
      ))
    let limit = words.limit.flatMap { $0.isEmpty ? nil : $0 } ?? String(RunFilter.defaultLimit)
    rows.append(
      (
        "show",
        (["20", "50", "200", "0"] as [String]).map { count in
          link(count == "0" ? "all" : count, words, { $0.limit = count }, on: limit == count)
        }
      ))
    return "<div class=\"filters\">"
      + rows.map { name, links in
        "<div><b>\(name)</b> \(links.joined(separator: " "))</div>"
      }.joined() + "</div>"
  }

  /// A link to this page with `change` made to the query.
  static func link(
    _ text: String, _ words: RunFilter.Words, _ change: (inout RunFilter.Words) -> Void, on: Bool
  ) -> String {
    var changed = words
    change(&changed)
    let label = HTML.escape(text)
    return on
      ? "<a class=\"on\" aria-current=\"true\" href=\"\(HTML.escape(href(changed)))\">\(label)</a>"
      : "<a href=\"\(HTML.escape(href(changed)))\">\(label)</a>"
  }

  /// `runs.html?status=failed&environment=prod`: the words as a query.
  static func href(_ words: RunFilter.Words) -> String {
    var pairs = words.pipelines.map { ("pipeline", $0) } + words.statuses.map { ("status", $0) }
    for (name, value) in [
      ("environment", words.environment), ("since", words.since), ("until", words.until),
      ("trigger", words.trigger), ("limit", words.limit),
    ] {
      if let value, !value.isEmpty { pairs.append((name, value)) }
    }
    let query = pairs.map { "\($0.0)=\(HTML.pathSegment($0.1))" }.joined(separator: "&")
    return query.isEmpty ? "runs.html" : "runs.html?\(query)"
  }

  static func table(_ list: RunList, links: ReportLinks) -> String {
    var html = """
      <div class="scroll"><table><thead><tr><th>run</th><th>pipeline</th><th>environment</th>\
      <th>status</th><th>started (UTC)</th><th class="num">duration</th>\
      <th class="num">tasks failed</th><th>trigger</th><th>rerun of</th></tr></thead><tbody>
      """
    func run(_ id: String) -> String {
      let text = HTML.escape(id)
      // Only a name shaped like a run id becomes a link.
      guard RunID(id) != nil, let href = links.run(id, fromOverview: true) else { return text }
      return "<a href=\"\(href)\">\(text)</a>"
    }
    for entry in list.runs {
      let pipeline = ReportLinks.pipeline(
        entry.pipeline, environment: entry.environment, fromOverview: true)
      // What a written report's page filters by, in the page.
      html += "<tr data-pipeline=\"\(HTML.escape(entry.pipeline))\""
      html += " data-status=\"\(entry.status.rawValue)\""
      html += " data-environment=\"\(HTML.escape(entry.environment ?? ""))\""
      html += " data-trigger=\"\(entry.trigger.rawValue)\""
      html += " data-started=\"\(Int64(entry.startedAt.timeIntervalSince1970))\">"
      html += "<td>\(run(entry.runId))</td>"
      html += "<td><a href=\"\(pipeline)\">\(HTML.escape(entry.pipeline))</a></td>"
      html += "<td>\(entry.environment.map(HTML.escape) ?? "<span class=\"muted\">-</span>")</td>"
      html += "<td>\(StatusMark(entry.status).badge)</td>"
      html += "<td>\(ReportFormat.time(entry.startedAt))</td>"
      html += "<td class=\"num\">\(ReportFormat.seconds(entry.durationSeconds))</td>"
      html += "<td class=\"num\">\(entry.tasksFailed) of \(entry.tasksTotal)</td>"
      html += "<td>\(entry.trigger.rawValue)</td>"
      html += "<td>\(entry.rerunOf.map(run) ?? "")</td></tr>"
    }
    return html + "</tbody></table></div>"
  }
}
