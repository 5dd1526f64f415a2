import FoundationEssentials
import Glibc

/// `orchestrate status` for a person at a terminal: one block per pipeline,
/// newest first, then per-task statistics when asked. Every line fits
/// `width` columns (see `TerminalWidth`); colour comes from the style only.
public enum StatusTable {
  public static func render(
    _ report: StatusReport, showTasks: Bool, style: TerminalStyle,
    width: Int = TerminalWidth.fallback
  ) -> String {
    var blocks = report.pipelines.map { pipeline in
      var lines = overview(pipeline, now: report.generatedAt, style: style, width: width)
      if showTasks && !pipeline.tasks.isEmpty {
        lines.append("")
        lines += taskTable(pipeline.tasks, style: style, width: width)
      }
      return lines.map { fit($0, width: width) }.joined(separator: "\n")
    }
    if report.pipelines.isEmpty {
      blocks.append("no runs recorded under \(report.root)/metrics")
    }
    return blocks.joined(separator: "\n\n")
  }

  /// One line naming the files that could not be read (and how many more).
  public static func unreadableWarning(_ files: [StatusIndex.Unreadable]) -> String? {
    guard !files.isEmpty else { return nil }
    let named = files.prefix(3).map { TerminalText.escaped("\($0.path) (\($0.reason))") }
    let more = files.count > 3 ? " and \(files.count - 3) more" : ""
    return "warning: \(files.count) unreadable file(s) in metrics/, skipped: "
      + named.joined(separator: ", ") + more
  }

  static func overview(
    _ pipeline: PipelineStatus, now: Date, style: TerminalStyle, width: Int = .max
  ) -> [String] {
    // Names, reasons and messages come from records anyone with write access
    // to metrics/ can forge: escaped before our own colours are added.
    let text = { (value: String) in TerminalText.escaped(value) }
    var header =
      "\(style.bold(text(pipeline.label)))  \(level(pipeline.health.level, style: style))"
    if let schedule = pipeline.schedule { header += "  schedule \(schedule)" }
    if let zone = pipeline.timezone { header += " (\(zone))" }
    if let maxAge = pipeline.maxAgeSeconds { header += "  max_age \(Ago.format(maxAge))" }
    var lines = [header]
    func row(_ label: String, _ text: String) {
      lines.append("  " + label.padded(to: 15) + text)
    }

    if let nextDue = pipeline.nextDue {
      row(
        "next due",
        "\(DueTime.format(nextDue, zone: pipeline.timezone))  (in \(Ago.format(nextDue.timeIntervalSince(now))))"
      )
    }
    if let missed = pipeline.missed {
      row(
        "missed",
        style.red(
          "due \(DueTime.format(missed.dueAt, zone: pipeline.timezone)), no run started since "
            + "(\(Ago.format(missed.lateSeconds)) late)"))
    }

    if let last = pipeline.lastRun {
      let duration = last.durationSeconds.map { "  \(DurationDisplay.summary($0))" } ?? ""
      row(
        "last run",
        "\(last.runId)  \(paint(last.status, style))  \(when(last.startedAt, now: now))"
          + duration)
      if let rerunOf = last.rerunOf { row("", "rerun of \(rerunOf)") }
      if !last.notCompleted.isEmpty {
        let names = last.notCompleted.map {
          "\(text($0.name)) \($0.status.rawValue)"
            + ($0.failedPhase.map { " in phase \(text($0))" } ?? "")
        }
        row(
          "",
          "\(last.notCompleted.count) of \(last.tasksTotal) not completed: "
            + names.joined(separator: ", "))
      }
    }
    let window = pipeline.window
    var summary = "\(window.runs) runs, \(window.completed) completed"
    if let rate = window.successRate { summary += " (\(Int((rate * 100).rounded()))%)" }
    if let p50 = window.durationP50Seconds, let p95 = window.durationP95Seconds {
      summary +=
        ", duration p50 \(DurationDisplay.summary(p50)) p95 \(DurationDisplay.summary(p95))"
    }
    row("\(window.days) days", summary)
    row(
      "last success",
      pipeline.lastSuccess.map { "\($0.runId), \(Ago.format($0.ageSeconds)) ago" } ?? "never")
    if let failing = pipeline.failingSince {
      row(
        "failing since",
        style.red("\(when(failing.startedAt, now: now)) (\(failing.runs) run(s))"))
    }
    for run in pipeline.running {
      let stuck =
        run.pausedSince.map { "  " + style.yellow("PAUSED") + " since \(when($0, now: now))" }
        ?? (run.stuck ? "  " + style.red("STUCK") : "")
      row(
        "running",
        "\(run.runId)  \(Ago.format(run.elapsedSeconds))  "
          + "\(run.tasksFinished) of \(run.tasksTotal) tasks done"
          + (run.workDone.map { ", \(Int(($0 * 100).rounded(.down)))% of the work" } ?? "")
          + (run.etaSeconds.map { "  ETA \(Ago.format($0))" } ?? "") + stuck)
      for task in run.tasks {
        lines.append("    " + runningTask(task, style: style, width: width - 4))
      }
    }
    for run in pipeline.abandoned {
      row("abandoned", style.red("\(run.runId)  \(text(run.reason))"))
    }
    for problem in pipeline.health.problems where problem.level != .ok {
      row("", "\(level(problem.level, style: style)) \(text(problem.message))")
    }
    return lines
  }

  /// `load[geo]  4m12s  rss 1.2 GiB  cpu 98%  3/6 50% file 3 of 6  ETA 4m`;
  /// bytes read and written too when the line has room for them: on a
  /// narrow terminal the task's own progress goes before them.
  static func runningTask(
    _ task: PipelineStatus.RunningTask, style: TerminalStyle, width: Int = .max
  ) -> String {
    let full = runningTask(task, style: style, resourceParts: task.resources?.summaryParts ?? [])
    guard visibleWidth(full) > width, let resources = task.resources else { return full }
    return runningTask(task, style: style, resourceParts: Array(resources.summaryParts.prefix(2)))
  }

  private static func runningTask(
    _ task: PipelineStatus.RunningTask, style: TerminalStyle, resourceParts: [String]
  ) -> String {
    let name = TerminalText.escaped(task.name)
    if task.queued { return "\(name)  queued \(Ago.format(task.elapsedSeconds))" }
    var parts = [name, Ago.format(task.elapsedSeconds)] + resourceParts
    if let phase = task.progress?.phase {
      let position = task.phaseNumber.flatMap { number in
        task.phaseCount.map { " \(number)/\($0)" }
      }
      parts.append("[\(TerminalText.escaped(phase))\(position ?? "")]")
    }
    if let progress = task.progress {
      if let done = progress.done {
        parts.append(progress.total.map { "\(number(done))/\(number($0))" } ?? number(done))
      }
      if let percent = progress.percent { parts.append("\(Int(percent))%") }
      if let message = progress.message { parts.append(TerminalText.escaped(message)) }
    }
    if let eta = task.etaSeconds { parts.append("ETA \(Ago.format(eta))") }
    if task.stuck { parts.append(style.red("STUCK")) }
    return parts.joined(separator: "  ")
  }

  /// Most useful first: columns are dropped from the right on a narrow terminal.
  static let taskColumns: [ColumnTable.Column] = [
    .init("runs", width: 5), .init("fail", width: 5), .init("retried", width: 8),
    .init("last", width: 10), .init("p50", width: 9), .init("last took", width: 10),
    .init("p95", width: 9), .init("max", width: 9), .init("rss p95", width: 9),
  ]

  static func taskTable(
    _ tasks: [PipelineStatus.TaskStatistics], style: TerminalStyle, width: Int
  ) -> [String] {
    let seconds = { (value: Double?) in value.map(DurationDisplay.summary) ?? "-" }
    let rows = tasks.map { task in
      ColumnTable.Row(
        name: TerminalText.escaped(task.name),
        cells: [
          String(task.runs), String(task.failures), String(task.retried),
          task.lastStatus?.rawValue ?? "-", seconds(task.p50Seconds), seconds(task.lastSeconds),
          seconds(task.p95Seconds), seconds(task.maxSeconds),
          task.peakRssP95Bytes.map { ByteCount.format(Int64($0)) } ?? "-",
        ],
        note: task.slow ? style.yellow("slow") : nil, noteWidth: 4)
    }
    // Name, runs, failures and retries stay; the rest goes as width requires.
    return ColumnTable(nameTitle: "task", columns: taskColumns, kept: 3)
      .render(rows, width: width, style: style)
  }

  static func level(_ level: HealthLevel, style: TerminalStyle) -> String {
    let text = level.rawValue.uppercased()
    switch level {
    case .ok: return style.green(text)
    case .warning, .unknown: return style.yellow(text)
    case .critical: return style.red(text)
    }
  }

  static func paint(_ status: RunStatus, _ style: TerminalStyle) -> String {
    switch status {
    case .completed: style.green(status.rawValue)
    case .partial, .running: style.yellow(status.rawValue)
    default: style.red(status.rawValue)
    }
  }

  static func when(_ date: Date, now: Date) -> String {
    var seconds = time_t(date.timeIntervalSince1970)
    var parts = tm()
    localtime_r(&seconds, &parts)
    let stamp = String(
      printf: "%04d-%02d-%02d %02d:%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
      parts.tm_hour, parts.tm_min)
    return "\(stamp) (\(Ago.format(now.timeIntervalSince(date))) ago)"
  }

  static func number(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15
      ? String(Int(value)) : String(printf: "%.1f", value)
  }

  /// Cuts a line to the width; colour escapes take no columns.
  static func fit(_ text: String, width: Int) -> String {
    guard visibleWidth(text) > width else { return text }
    var result = ""
    var visible = 0
    var inEscape = false
    for character in text {
      if character == "\u{1B}" { inEscape = true }
      if !inEscape {
        if visible == width - 1 { break }
        visible += 1
      }
      result.append(character)
      if inEscape && character == "m" { inEscape = false }
    }
    return result + "…" + (text.contains("\u{1B}") ? "\u{1B}[0m" : "")
  }

  static func visibleWidth(_ text: String) -> Int {
    var count = 0
    var inEscape = false
    for character in text {
      if character == "\u{1B}" { inEscape = true }
      if !inEscape { count += 1 }
      if inEscape && character == "m" { inEscape = false }
    }
    return count
  }
}

/// Coarse durations for people: `45s`, `12m`, `3h05m`, `2d4h`.
public enum Ago {
  public static func format(_ seconds: Double) -> String {
    let total = Int(max(seconds, 0).rounded())
    switch total {
    case ..<60: return "\(total)s"
    case ..<3600: return "\(total / 60)m\(String(printf: "%02d", total % 60))s"
    case ..<86400: return "\(total / 3600)h\(String(printf: "%02d", total % 3600 / 60))m"
    default: return "\(total / 86400)d\(total % 86400 / 3600)h"
    }
  }
}
