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

  /// One line per running task: name, elapsed time, resources, percent, message.
  func liveLines() -> [String] {
    let paused =
      record.pausedSince.map {
        [
          "  PAUSED since \(Timestamp.format($0)): "
            + "orchestrate resume \(record.runId) (or SIGCONT) to go on"
        ]
      } ?? []
    return paused
      + running.sorted { $0.key < $1.key }.map { index, attempt in
        let progress = record.tasks[index].progress
        let elapsed = DurationDisplay.short((ContinuousClock.now - attempt.started).seconds)
        var line =
          "  \(plan.steps[index].name)  \(attempt.queued ? "queued " : "")\(elapsed)"
          + (paused.isEmpty ? "" : "  paused")
        if !attempt.queued, let resources = record.tasks[index].attempts.last?.liveResources {
          line += "  \(resources.summary)"
        }
        if let percent = progress?.percent { line += String(printf: "  %.0f%%", percent) }
        if let phase = progress?.phase { line += "  [\(phase)]" }
        if let message = progress?.message { line += "  \(message)" }
        return line
      }
  }
}
