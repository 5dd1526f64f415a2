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
    if events.isInteractive { events.showLive(liveLines()) }
  }

  /// One line per running task: name, elapsed time, percent, message.
  func liveLines() -> [String] {
    running.sorted { $0.key < $1.key }.map { index, attempt in
      let progress = record.tasks[index].progress
      let elapsed = DurationDisplay.short((ContinuousClock.now - attempt.started).seconds)
      var line = "  \(plan.steps[index].name)  \(attempt.queued ? "queued " : "")\(elapsed)"
      if let percent = progress?.percent { line += String(printf: "  %.0f%%", percent) }
      if let phase = progress?.phase {
        // Phase k of n when the task declared (or reported) several.
        let phases = record.tasks[index].phases ?? []
        let position = phases.lastIndex { $0.name == phase && $0.status == .running }
        if let position, phases.count > 1 {
          line += "  [\(phase) \(position + 1)/\(phases.count)]"
        } else {
          line += "  [\(phase)]"
        }
      }
      if let message = progress?.message { line += "  \(message)" }
      return line
    }
  }
}
