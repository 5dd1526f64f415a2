import FoundationEssentials

/// A run's timeline (Gantt): one row per task, one bar per attempt, the
/// wait for a free slot (dependencies done, task not yet started) hatched
/// grey, retry delays dotted, failed and timed-out attempts hatched red,
/// and the task's reported phases as segments under its bars.
enum RunTimeline {
  static let width = 1000.0
  static let labelWidth = 170.0
  static let rowHeight = 24.0
  static let axisHeight = 22.0

  static func render(_ record: RunRecord, now: Date) -> String {
    let start = record.startedAt
    let end =
      record.finishedAt
      ?? (record.status == .running
        ? max(now, record.updatedAt) : latestMoment(record) ?? record.updatedAt)
    let span = max(end.timeIntervalSince(start), 1e-3)
    let plot = width - labelWidth - 10
    func x(_ date: Date) -> Double {
      labelWidth + plot * min(max(date.timeIntervalSince(start) / span, 0), 1)
    }
    let height = axisHeight + rowHeight * Double(record.tasks.count) + 6
    var svg =
      "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(SVGNumber.text(height))\" role=\"img\" aria-label=\"timeline of run \(HTML.escape(record.runId))\">"
    for step in 0...4 {
      let fraction = Double(step) / 4
      let tickX = labelWidth + plot * fraction
      svg += RunHistoryChart.line(tickX, axisHeight - 4, tickX, height, "rule")
      let anchor = step == 0 ? "start" : step == 4 ? "end" : "middle"
      svg +=
        "<text x=\"\(SVGNumber.text(tickX))\" y=\"13\" text-anchor=\"\(anchor)\">\(HTML.escape(Self.tickLabel(span * fraction, span: span)))</text>"
    }
    let finishes = Dictionary(
      record.tasks.map { ($0.name, $0.finishedAt) }, uniquingKeysWith: { first, _ in first })
    for (row, task) in record.tasks.enumerated() {
      let top = axisHeight + Double(row) * rowHeight
      svg +=
        "<text x=\"4\" y=\"\(SVGNumber.text(top + 16))\">\(HTML.escape(truncated(task.name)))<title>\(HTML.escape(task.name)): \(StatusMark(task.status).word)</title></text>"
      let barTop = top + 4
      let barHeight = rowHeight - 10
      if let first = task.attempts.first?.startedAt,
        let ready = readyMoment(task, in: record, finishes: finishes),
        first.timeIntervalSince(ready) > span * 0.002
      {
        svg += rect(
          x(ready), barTop, x(first) - x(ready), barHeight, "wait",
          "\(task.name): waited \(ReportFormat.seconds(first.timeIntervalSince(ready))) for a slot")
      }
      for (index, attempt) in task.attempts.enumerated() {
        let attemptEnd = attempt.finishedAt ?? (task.status == .running ? end : attempt.startedAt)
        if index > 0, let previous = task.attempts[index - 1].finishedAt {
          svg += rect(
            x(previous), barTop, x(attempt.startedAt) - x(previous), barHeight, "delay",
            "\(task.name): retry delay \(ReportFormat.seconds(attempt.startedAt.timeIntervalSince(previous)))"
          )
        }
        let outcome = attemptOutcome(attempt, task: task, last: index == task.attempts.count - 1)
        svg += rect(
          x(attempt.startedAt), barTop, max(x(attemptEnd) - x(attempt.startedAt), 1.5), barHeight,
          StatusMark(outcome).barClass,
          "\(task.name) attempt \(attempt.number): \(StatusMark(outcome).word), "
            + ReportFormat.seconds(attemptEnd.timeIntervalSince(attempt.startedAt)))
      }
      // Entered phases only: pending and skipped ones have no time to show.
      for (index, phase) in (task.phases ?? []).enumerated() {
        guard let phaseStart = phase.startedAt else { continue }
        let phaseEnd = phase.finishedAt ?? task.finishedAt ?? end
        svg += rect(
          x(phaseStart), barTop + barHeight + 1, max(x(phaseEnd) - x(phaseStart), 1),
          4, phase.status == .failed ? "phase failed" : index % 2 == 0 ? "phase" : "phase alt",
          "\(task.name) phase \(phase.name): \(phase.status.rawValue), "
            + ReportFormat.seconds(phaseEnd.timeIntervalSince(phaseStart)))
      }
    }
    if record.status == .running {
      svg += RunHistoryChart.line(x(end), axisHeight - 4, x(end), height, "now")
    }
    return "<div class=\"scroll\">" + svg + "</svg></div>"
  }

  /// The legend that says what each fill means, in words.
  static let legend = """
    <div class="legend"><span>\(swatch("bar s-ok")) completed</span>\
    <span>\(swatch("bar s-bad")) failed</span><span>\(swatch("bar s-bad s-timeout")) timed out</span>\
    <span>\(swatch("bar s-run")) running</span><span>\(swatch("wait")) waiting for a slot</span>\
    <span>\(swatch("delay")) retry delay</span><span>\(swatch("phase")) phases</span></div>
    """

  private static func swatch(_ kind: String) -> String {
    "<svg width=\"22\" height=\"12\" aria-hidden=\"true\"><rect class=\"\(kind)\" width=\"22\" height=\"12\"/></svg>"
  }

  /// An attempt's own outcome: earlier attempts failed (or timed out), the
  /// last one ended as the task did.
  static func attemptOutcome(_ attempt: AttemptRecord, task: TaskRecord, last: Bool) -> TaskStatus {
    if attempt.timedOut { return .timedOut }
    if attempt.finishedAt == nil { return task.status == .running ? .running : task.status }
    if attempt.exitCode == 0 { return .completed }
    return last && task.status != .completed ? task.status : .failed
  }

  /// When the task could have started: its dependencies' last finish, or
  /// the run's start.
  static func readyMoment(_ task: TaskRecord, in record: RunRecord, finishes: [String: Date?])
    -> Date?
  {
    let dependencies = record.tasks.filter { other in
      task.dependsOn.contains(other.name) || task.dependsOn.contains(other.task)
    }
    guard !dependencies.isEmpty else { return record.startedAt }
    let ends = dependencies.compactMap { finishes[$0.name] ?? nil }
    guard ends.count == dependencies.count else { return nil }
    return ends.max()
  }

  static func latestMoment(_ record: RunRecord) -> Date? {
    record.tasks.compactMap { $0.finishedAt ?? $0.attempts.last?.finishedAt }.max()
  }

  private static func truncated(_ name: String) -> String {
    name.count <= 24 ? name : String(name.prefix(23)) + "…"
  }

  private static func rect(
    _ x: Double, _ y: Double, _ width: Double, _ height: Double, _ kind: String, _ title: String
  ) -> String {
    "<rect class=\"\(kind)\" x=\"\(SVGNumber.text(x))\" y=\"\(SVGNumber.text(y))\" width=\"\(SVGNumber.text(max(width, 0)))\" height=\"\(SVGNumber.text(height))\"><title>\(HTML.escape(title))</title></rect>"
  }

  /// A tick's time: in milliseconds when the whole run is shorter than a
  /// second, where hundredths of a second would repeat (`0.01s` twice), with
  /// a tenth when the ticks are less than a millisecond apart.
  static func tickLabel(_ seconds: Double, span: Double) -> String {
    guard span < 1 else { return ReportFormat.seconds(seconds) }
    let milliseconds = seconds * 1000
    return span < 0.004
      ? String(printf: "%.1f ms", milliseconds) : "\(Int(milliseconds.rounded())) ms"
  }
}
