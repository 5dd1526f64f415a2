import FoundationEssentials

/// `index.html`: every pipeline with its health, problems first.
public enum OverviewPage {
  public static func render(_ overview: Overview, links: ReportLinks) -> String {
    let report = overview.report
    let now = report.generatedAt
    let pipelines = report.pipelines.sorted {
      ($0.health.level, $1.label) > ($1.health.level, $0.label)
    }
    var body = "<h1>Pipelines</h1>"
    body +=
      "<p>\(StatusMark(report.health.level).badge) <span class=\"muted\">\(pipelines.count) pipeline(s) under <code>\(HTML.escape(report.root))</code>, statistics over \(report.windowDays) day(s), as of \(ReportFormat.time(now)) UTC</span></p>"
    if !pipelines.isEmpty {
      body += "<p><a href=\"\(links.runList)\">Every run, by status, environment and time</a></p>"
    }
    if pipelines.isEmpty {
      body += "<p class=\"muted\">No runs recorded yet.</p>"
    } else {
      body += table(pipelines, overview: overview, links: links, now: now)
    }
    let running = pipelines.flatMap { pipeline in pipeline.running.map { (pipeline.name, $0) } }
    if !running.isEmpty {
      body += "<h2>Running now</h2>"
      body += RunningSection.render(running, links: links, fromOverview: true)
    }
    let problems = pipelines.filter { !$0.health.problems.isEmpty }
    if !problems.isEmpty {
      body += "<h2>Problems</h2><ul class=\"problems\">"
      for pipeline in problems {
        for problem in pipeline.health.problems {
          body +=
            "<li>\(StatusMark(problem.level).badge) <a href=\"\(ReportLinks.pipeline(pipeline.name, environment: pipeline.environment, fromOverview: true))\">\(HTML.escape(pipeline.label))</a>: \(HTML.escape(problem.message))</li>"
        }
      }
      body += "</ul>"
    }
    body += UnreadableSection.render(report.unreadableFiles)
    return PageFrame.render(
      title: "orchestrate: \(report.health.level.rawValue.uppercased())",
      crumbs: [("orchestrate", nil)], body: body)
  }

  static func table(
    _ pipelines: [PipelineStatus], overview: Overview, links: ReportLinks, now: Date
  ) -> String {
    var html = """
      <div class="scroll"><table><thead><tr><th>pipeline</th><th>health</th><th>last run</th>\
      <th class="num hide-narrow">duration</th><th class="num">success</th>\
      <th class="hide-narrow">last \(ReportSource.sparkRuns) runs</th>\
      <th class="hide-narrow">next due (UTC)</th></tr></thead><tbody>
      """
    for pipeline in pipelines {
      let name = HTML.escape(pipeline.label)
      html +=
        "<tr><td><a href=\"\(ReportLinks.pipeline(pipeline.name, environment: pipeline.environment, fromOverview: true))\">\(name)</a></td>"
      html += "<td>\(StatusMark(pipeline.health.level).badge)</td>"
      if let last = pipeline.lastRun {
        let when = ReportFormat.age(last.startedAt, now: now)
        let label = "\(StatusMark(last.status).badge) <span class=\"muted\">\(when)</span>"
        html +=
          "<td>"
          + (links.run(last.runId, fromOverview: true).map {
            "<a href=\"\($0)\" title=\"\(HTML.escape(last.runId))\">\(label)</a>"
          } ?? label) + "</td>"
        html += "<td class=\"num hide-narrow\">\(ReportFormat.seconds(last.durationSeconds))</td>"
      } else {
        html += "<td class=\"muted\">none</td><td class=\"hide-narrow\"></td>"
      }
      html += "<td class=\"num\">\(ReportFormat.percent(pipeline.window.successRate))</td>"
      let points = (overview.recent[pipeline.label] ?? []).map { RunPoints.point($0, links: nil) }
      html +=
        "<td class=\"hide-narrow\">\(Sparkline.render(points, label: "durations of the last runs of \(name)"))</td>"
      html += "<td class=\"hide-narrow\">\(ScheduleCell.render(pipeline))</td></tr>"
    }
    return html + "</tbody></table></div>"
  }
}

/// Chart points from runs: duration as height, status as tone.
enum RunPoints {
  static func point(_ run: RunDigest, links: ReportLinks?, fromOverview: Bool = false) -> ChartPoint
  {
    let mark = StatusMark(run.status)
    let started = Date(timeIntervalSince1970: run.startedAt)
    return ChartPoint(
      value: run.durationSeconds, tone: mark.tone,
      title:
        "\(run.runId): \(mark.word), \(ReportFormat.seconds(run.durationSeconds)), started \(ReportFormat.time(started))",
      href: links?.run(run.runId, fromOverview: fromOverview))
  }
}

/// Runs in progress with each running task's progress and ETA.
enum RunningSection {
  static func render(
    _ runs: [(pipeline: String, run: PipelineStatus.RunningRun)], links: ReportLinks,
    fromOverview: Bool
  ) -> String {
    var html =
      "<div class=\"scroll\"><table><thead><tr><th>run</th><th>task</th><th>progress</th><th class=\"hide-narrow\">resources</th><th class=\"num\">elapsed</th><th class=\"num\">eta</th></tr></thead><tbody>"
    for (pipeline, run) in runs {
      let runLabel =
        "\(HTML.escape(pipeline)) <span class=\"muted\">\(HTML.escape(run.runId))</span>"
      let runCell =
        links.run(run.runId, fromOverview: fromOverview).map { "<a href=\"\($0)\">\(runLabel)</a>" }
        ?? runLabel
      let stuck = run.stuck ? " <span class=\"badge s-bad\">stuck</span>" : ""
      html +=
        "<tr><td>\(runCell)\(stuck)<br><span class=\"muted\">\(run.tasksFinished) of \(run.tasksTotal) tasks done\(workAndETA(run))</span></td>"
      if run.tasks.isEmpty {
        html += "<td colspan=\"4\" class=\"muted\">between tasks</td>"
        html += "<td class=\"num\">\(ReportFormat.seconds(run.elapsedSeconds))</td></tr>"
        continue
      }
      for (index, task) in run.tasks.enumerated() {
        if index > 0 { html += "<tr><td></td>" }
        html +=
          "<td>\(HTML.escape(task.name))\(task.stuck ? " <span class=\"badge s-bad\">stuck</span>" : "")</td>"
        html +=
          "<td>\(ProgressCell.render(task.progress, phase: task.phaseNumber, of: task.phaseCount))</td>"
        html +=
          "<td class=\"hide-narrow\">"
          + (task.resources.map { HTML.escape($0.summaryParts.joined(separator: " · ")) }
            ?? "<span class=\"muted\">–</span>")
          + "</td>"
        html += "<td class=\"num\">\(ReportFormat.seconds(task.elapsedSeconds))</td>"
        html +=
          "<td class=\"num\">\(task.etaSeconds.map { ReportFormat.seconds($0) } ?? "–")</td></tr>"
      }
    }
    return html + "</tbody></table></div>"
  }

  /// `, 44% of the work, ETA 3.8s`: the run's own level of progress.
  static func workAndETA(_ run: PipelineStatus.RunningRun) -> String {
    var text = ""
    if let work = run.workDone { text += String(printf: ", %.0f%% of the work", work * 100) }
    if let eta = run.etaSeconds { text += ", ETA " + ReportFormat.seconds(eta) }
    return text
  }
}

/// A task's reported progress: a bar, `done/total`, percent, phase, message.
enum ProgressCell {
  /// `phase`, `count`: the phase it is in, 1-based, of how many it has.
  static func render(_ progress: TaskProgress?, phase number: Int? = nil, of count: Int? = nil)
    -> String
  {
    guard let progress else { return "<span class=\"muted\">no progress reported</span>" }
    var parts: [String] = []
    if let done = progress.done {
      parts.append(
        ReportFormat.number(done) + (progress.total.map { "/" + ReportFormat.number($0) } ?? ""))
    }
    if let percent = progress.percent { parts.append(String(printf: "%.0f%%", percent)) }
    if let phase = progress.phase {
      let position = number.flatMap { number in count.map { " (\(number)/\($0))" } } ?? ""
      parts.append("phase " + HTML.escape(phase) + position)
    }
    var html = ""
    if let percent = progress.percent {
      html +=
        "<div class=\"progress\" role=\"progressbar\" aria-valuenow=\"\(Int(percent))\" aria-valuemin=\"0\" aria-valuemax=\"100\"><i style=\"width:\(SVGNumber.text(min(max(percent, 0), 100)))%\"></i></div>"
    }
    html += parts.joined(separator: " · ")
    if let message = progress.message {
      html += "<br><span class=\"muted\">\(HTML.escape(message))</span>"
    }
    return html
  }
}

/// Files in `metrics/` that are not run records: named, never fatal.
enum UnreadableSection {
  static func render(_ files: [StatusIndex.Unreadable]) -> String {
    guard !files.isEmpty else { return "" }
    return "<h2>Unreadable files</h2><ul class=\"problems\">"
      + files.map { "<li><code>\(HTML.escape($0.path))</code>: \(HTML.escape($0.reason))</li>" }
      .joined() + "</ul>"
  }
}

/// When a pipeline is next due, its schedule, and a run it missed.
enum ScheduleCell {
  static func render(_ pipeline: PipelineStatus) -> String {
    guard let schedule = pipeline.schedule else {
      return "<span class=\"muted\">no schedule</span>"
    }
    var html = pipeline.nextDue.map { ReportFormat.time($0) } ?? ""
    html += " <code class=\"muted\">\(HTML.escape(schedule))</code>"
    if let missed = pipeline.missed {
      html +=
        "<br><span class=\"badge s-bad\">missed</span> <span class=\"muted\">due \(ReportFormat.time(missed.dueAt))</span>"
    }
    return html
  }
}
