import Dispatch
import FoundationEssentials
import Glibc

/// What running tasks report while they run, and the live lines on a terminal.
extension Scheduler {
  /// Four times a second: what running tasks reported, and the live lines
  /// on a terminal. A timer, not a watch per file: one wake-up serves all.
  func startFollowingReports() {
    let timer = DispatchSource.makeTimerSource(queue: queue)
    timer.schedule(deadline: .now() + 0.25, repeating: 0.25, leeway: .milliseconds(50))
    timer.setEventHandler { [weak self] in self?.followReports() }
    timer.resume()
    reportTimer = timer
  }

  func followReports() {
    var changed = false
    for (index, attempt) in running where attempt.reports.poll() {
      attempt.reports.store(in: &record.tasks[index])
      changed = true
    }
    if changed { writer.changed() }
    resourceTick()
    if events.isInteractive { events.showLive(liveLines()) }
  }

  /// The run's line (tasks done, share of the work, ETA), then one per
  /// running task: name, elapsed time, resources, phase k of n, percent, ETA, message.
  /// Most telling first: a narrow terminal cuts lines at its edge.
  func liveLines() -> [String] {
    let paused =
      record.pausedSince.map {
        [
          "  PAUSED since \(Timestamp.format($0)): "
            + "orchestrate resume \(record.runId) (or SIGCONT) to go on"
        ]
      } ?? []
    // By the monotonic clock, as the task's own duration is measured.
    var spent: [String: Double] = [:]
    for index in running.keys {
      spent[record.tasks[index].name] = taskStarts[index].map { (ContinuousClock.now - $0).seconds }
    }
    let estimate = RunProgressEstimate(
      record, now: Date(), history: taskHistories() ?? [:], elapsed: { spent[$0.name] })
    var run = "  run  \(estimate.tasksFinished)/\(estimate.tasksTotal) tasks"
    if let work = estimate.workDone { run += String(printf: "  %.0f%% of the work", work * 100) }
    if let eta = estimate.remaining { run += "  ETA \(DurationDisplay.short(eta))" }
    let tasks = running.sorted { $0.key < $1.key }.map { index, attempt in
      let progress = record.tasks[index].progress
      let own = estimate.tasks[record.tasks[index].name]
      let elapsed = DurationDisplay.short((ContinuousClock.now - attempt.started).seconds)
      var line =
        "  \(plan.steps[index].name)  \(attempt.queued ? "queued " : "")\(elapsed)"
        + (paused.isEmpty ? "" : "  paused")
      if !attempt.queued, let resources = record.tasks[index].attempts.last?.liveResources {
        line += "  \(resources.summary)"
      }
      if let phase = progress?.phase {
        if let number = own?.phaseNumber, let count = own?.phaseCount, count > 1 {
          line += "  [\(phase) \(number)/\(count)]"
        } else {
          line += "  [\(phase)]"
        }
      }
      if let percent = progress?.percent { line += String(printf: "  %.0f%%", percent) }
      if let eta = own?.remaining { line += "  ETA \(DurationDisplay.short(eta))" }
      if let message = progress?.message { line += "  \(message)" }
      return line
    }
    return [run] + paused + tasks
  }
}
