import FoundationEssentials

/// The items part of a pipeline's page (`#items`): counts per stage and
/// status with the backlog before each declared stage, the stuck items and
/// the newest failures, as `orchestrate items` shows them. One section of
/// the page rather than a page of its own: the runs that wrote the items and
/// the items they left sit together, and no page name can clash with a
/// pipeline's.
enum ItemsSection {
  /// The ledger's report judged by the settings of the run that last wrote
  /// its snapshot; nil when no task of the pipeline ever reported an item.
  static func collect(pipeline: String, layout: RootLayout, now: Date) -> ItemsReport? {
    let ledger = ItemLedger(layout: layout, pipeline: pipeline)
    guard ledger.exists, let view = try? ledger.load() else { return nil }
    return try? ItemsReport.collect(
      pipeline: pipeline, layout: layout, settings: view.summary.settings ?? ItemSettings(),
      filter: ItemsReport.Filter(), now: now)
  }

  /// The line under the page's title that leads to the section.
  static func link(_ report: ItemsReport) -> String {
    var text = "\(report.items) item\(report.items == 1 ? "" : "s")"
    if report.stuckCount > 0 { text += ", \(report.stuckCount) stuck" }
    let failed = report.stages.reduce(0) { $0 + $1.failed }
    if failed > 0 { text += ", \(failed) failed" }
    return "<p><a href=\"#items\">Items: \(HTML.escape(text))</a></p>"
  }

  static func render(_ report: ItemsReport, links: ReportLinks, now: Date) -> String {
    var html = "<h2 id=\"items\">Items</h2>"
    html +=
      "<p class=\"muted\">\(report.items) item(s) in the ledger; stuck: started over "
      + "\(ReportFormat.seconds(report.stuckAfterSeconds)) ago. "
      + "<code>orchestrate items \(HTML.escape(report.pipeline))</code> shows the same.</p>"
    html += """
      <div class="scroll"><table class="items"><thead><tr><th>stage</th>\
      <th class="num">started</th><th class="num">done</th><th class="num">failed</th>\
      <th class="num">skipped</th><th class="num">backlog</th><th class="num">fail%</th>\
      </tr></thead><tbody>
      """
    for row in report.stages {
      let name =
        HTML.escape(row.stage) + (row.declared ? "" : " <span class=\"muted\">(undeclared)</span>")
      html +=
        "<tr><td>\(name)</td><td class=\"num\">\(row.started)</td>"
        + "<td class=\"num\">\(row.done)</td><td class=\"num\">\(row.failed)</td>"
        + "<td class=\"num\">\(row.skipped)</td>"
        + "<td class=\"num\">\(row.backlog.map(String.init) ?? "–")</td>"
        + "<td class=\"num\">\(row.failureRate.map(ReportFormat.percent) ?? "–")</td></tr>"
    }
    html += "</tbody></table></div>"
    html += "<h3>Stuck (\(report.stuckCount))</h3>"
    html += refs(report.stuck, links: links, now: now, empty: "No item is stuck.")
    if report.stuckCount > report.stuck.count {
      html += "<p class=\"muted\">The oldest \(report.stuck.count) are shown.</p>"
    }
    html += "<h3>Newest failures</h3>"
    html += refs(report.failures, links: links, now: now, empty: "No item failed.")
    return html
  }

  private static func refs(
    _ refs: [ItemsReport.ItemRef], links: ReportLinks, now: Date, empty: String
  ) -> String {
    guard !refs.isEmpty else { return "<p class=\"muted\">\(empty)</p>" }
    // A stuck item has no error: no empty column for it.
    let errors = refs.contains { $0.error != nil }
    var html =
      "<div class=\"scroll\"><table><thead><tr><th>item</th><th>stage</th>"
      + (errors ? "<th>error</th>" : "")
      + "<th>when</th><th>run</th><th>task</th></tr></thead><tbody>"
    for ref in refs {
      let run =
        links.run(ref.run).map { "<a href=\"\($0)\">\(HTML.escape(ref.run))</a>" }
        ?? HTML.escape(ref.run)
      html +=
        "<tr><td>\(HTML.escape(ref.item))</td><td>\(HTML.escape(ref.stage))</td>"
        + (errors ? "<td>\(HTML.escape(ref.error ?? ""))</td>" : "")
        + "<td title=\"\(ReportFormat.time(ref.at))\">\(ReportFormat.age(ref.at, now: now))</td>"
        + "<td>\(run)</td><td>\(HTML.escape(ref.task))</td></tr>"
    }
    return html + "</tbody></table></div>"
  }
}
