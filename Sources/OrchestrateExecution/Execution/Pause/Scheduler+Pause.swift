import Dispatch
import FoundationEssentials
import Glibc

/// Pausing a run (`orchestrate pause`, SIGTSTP) and resuming it (SIGCONT):
/// every running attempt is stopped through its executor, no task starts,
/// and timeouts stand still until the run resumes. The journal has each
/// pause and resume before any process is stopped or continued, so a run
/// that dies paused is settled, and its stopped processes continued and
/// ended, by the next run.
extension Scheduler {
  /// Stops every running attempt until `resume()`. Refused (with a line in
  /// the run's log) while the run is ending, when it is paused already, or
  /// when an executor of a running attempt cannot pause. True when paused.
  @discardableResult
  func pause() -> Bool {
    dispatchPrecondition(condition: .onQueue(queue))
    guard completion != nil else { return false }
    if pausedTime.isPaused {
      events.log("already paused since \(Timestamp.format(record.pausedSince ?? Date()))")
      return false
    }
    if let cancellation {
      events.problem("not pausing: the run is ending (\(cancellation.reason))")
      return false
    }
    if let refusal = running.values.lazy.compactMap(\.executor.pauseRefusal).first {
      events.problem("not pausing: \(refusal)")
      return false
    }
    let now = Date()
    pausedTime.pause(at: .now)
    record.pausedSince = now
    // On disk before the first process stops.
    journal.write(.paused(at: now, stopped: running.count))
    let report = pauseProblem
    for attempt in running.values { attempt.executor.suspend(attempt.handle, problem: report) }
    writer.flush()
    events.log(
      "run paused: \(running.count) running task(s) stopped; no task starts and no timeout "
        + "runs until it is resumed (orchestrate resume \(record.runId), or SIGCONT)")
    if events.isInteractive { events.showLive(liveLines()) }
    onPause?(record)
    return true
  }

  /// Continues what `pause()` stopped, moves timeouts on by the time paused
  /// and starts what may start.
  func resume() {
    dispatchPrecondition(condition: .onQueue(queue))
    guard completion != nil, endPause() else { return }
    advance()
  }

  /// The end of a pause, without starting anything: a run that is being
  /// cancelled resumes first, so that its tasks can take SIGTERM.
  /// False when the run was not paused.
  @discardableResult
  func endPause() -> Bool {
    guard pausedTime.isPaused else { return false }
    let length = pausedTime.resume(at: .now)
    record.pausedSince = nil
    record.pausedSeconds = pausedTime.ended.seconds
    journal.write(.resumed(at: Date(), seconds: length.seconds))
    let report = pauseProblem
    for attempt in running.values { attempt.executor.resume(attempt.handle, problem: report) }
    events.log(
      "run resumed after \(DurationDisplay.short(length.seconds)) paused; "
        + "timeouts are extended by that time")
    let waiting = deadlinesAwaitingResume
    deadlinesAwaitingResume = []
    for (deadline, work) in waiting { check(deadline, work) }
    writer.flush()
    return true
  }

  private var pauseProblem: @Sendable (String) -> Void {
    { [events] problem in events.problem("pause: \(problem)") }
  }

  /// Runs `work` on the queue once `length` of time not paused has passed
  /// (a task's or the run's timeout), unless `work` is cancelled first.
  func afterActiveTime(_ length: Duration, _ work: DispatchWorkItem) {
    let deadline = ActiveDeadline(length: length, at: .now, paused: pausedTime)
    let first = DispatchWorkItem { [weak self] in self?.check(deadline, work) }
    timers.after(length.seconds, on: queue, first)
  }

  func check(_ deadline: ActiveDeadline, _ work: DispatchWorkItem) {
    guard !work.isCancelled else { return }
    var deadline = deadline
    switch deadline.check(at: .now, paused: pausedTime) {
    case .expire:
      work.perform()
    case .wait(let left):
      let again = DispatchWorkItem { [weak self] in self?.check(deadline, work) }
      timers.after(left.seconds, on: queue, again)
    case .waitForResume:
      deadlinesAwaitingResume.append((deadline, work))
    }
  }
}
