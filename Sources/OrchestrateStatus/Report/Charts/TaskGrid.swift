/// Tasks × runs: rows are tasks (in the newest run's order, then older
/// names), columns the newest runs, oldest left; every cell says its status
/// with a glyph, and its title gives duration and reason.
enum TaskGrid {
  static func render(_ records: [RunRecord], links: ReportLinks) -> String {
    guard !records.isEmpty else { return "<p class=\"muted\">No runs yet.</p>" }
    var names: [String] = []
    var seen = Set<String>()
    for record in records.reversed() {
      for task in record.tasks where seen.insert(task.name).inserted { names.append(task.name) }
    }
    var html = "<div class=\"scroll\"><table class=\"grid\"><thead><tr><th>task</th>"
    for record in records {
      let label = ReportFormat.shortTime(record.startedAt)
      let cell =
        links.run(record.runId).map {
          "<a href=\"\($0)\" title=\"\(HTML.escape(record.runId))\">\(label)</a>"
        } ?? label
      html += "<th class=\"run\">\(cell)</th>"
    }
    html += "</tr></thead><tbody>"
    let lookup = records.map { record in
      Dictionary(record.tasks.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }
    for name in names {
      html += "<tr><td>\(HTML.escape(name))</td>"
      for (index, record) in records.enumerated() {
        guard let task = lookup[index][name] else {
          html += "<td class=\"cell\"></td>"
          continue
        }
        let mark = StatusMark(task.status)
        var title = "\(name) in \(record.runId): \(mark.word)"
        if let seconds = task.durationSeconds { title += ", \(ReportFormat.seconds(seconds))" }
        if task.attempts.count > 1 { title += ", \(task.attempts.count) attempts" }
        if let reason = task.reason { title += " — \(reason)" }
        html +=
          "<td class=\"cell\"><span class=\"\(mark.tone)\" title=\"\(HTML.escape(title))\">\(mark.glyph)</span></td>"
      }
      html += "</tr>"
    }
    return html + "</tbody></table></div>"
  }
}
