import FoundationEssentials

/// The phases of each task that has some: declared ones from the start,
/// with where each stands, its time, its items and, for the one a task
/// failed in, that it did (its output is under "Error output").
enum RunPhaseTable {
  static func render(_ record: RunRecord, now: Date) -> String {
    let tasks = record.tasks.filter { !($0.phases ?? []).isEmpty }
    guard !tasks.isEmpty else { return "" }
    var html = """
      <h2>Phases</h2><div class="scroll"><table class="phases"><thead><tr><th>task</th>\
      <th class="num">#</th><th>phase</th><th>status</th><th class="num">share</th>\
      <th>started (UTC)</th><th class="num">duration</th><th class="num">items</th>\
      </tr></thead><tbody>
      """
    for task in tasks {
      let phases = task.phases ?? []
      for (index, phase) in phases.enumerated() {
        let duration =
          phase.durationSeconds
          ?? phase.startedAt.map { (task.finishedAt ?? now).timeIntervalSince($0) }
        let items =
          phase.done.map { done in
            ReportFormat.number(done) + (phase.total.map { " / " + ReportFormat.number($0) } ?? "")
          } ?? "–"
        html += "<tr data-phase-status=\"\(phase.status.rawValue)\">"
        html += "<td>\(index == 0 ? HTML.escape(task.name) : "")</td>"
        html += "<td class=\"num\">\(index + 1)/\(phases.count)</td>"
        html += "<td>\(HTML.escape(phase.name))</td><td>\(StatusMark(phase.status).badge)</td>"
        html += "<td class=\"num\">\(phase.weight.map { ReportFormat.percent($0) } ?? "–")</td>"
        html += "<td>\(phase.startedAt.map { ReportFormat.time($0) } ?? "–")</td>"
        html += "<td class=\"num\">\(ReportFormat.seconds(duration))</td>"
        html += "<td class=\"num\">\(items)</td></tr>"
      }
    }
    return html + "</tbody></table></div>"
  }
}
