import Dispatch
import FoundationEssentials
import Glibc

/// Ending a run early: a signal or the run's timeout, and the `run_if:
/// always` tasks that still run within `finally_timeout`.
extension Scheduler {
  /// Stops the run: nothing new starts but `run_if: always` tasks, which
  /// still run once their dependencies have finished, within the pipeline's
  /// `finally_timeout`; other running tasks get SIGTERM and, after their
  /// grace, SIGKILL. A second signal stops the `run_if: always` tasks too;
  /// a second SIGINT kills everything at once.
  func cancel(reason: String, signal: Int32?) {
    dispatchPrecondition(condition: .onQueue(queue))
    // A paused run's tasks are continued first, so that they can take SIGTERM.
    endPause()
    if let current = cancellation {
      guard let signal else { return }
      let now = signal == SIGINT && current.signal == SIGINT
      stopFinally(reason: "received \(SignalName.of(signal)) while ending", immediately: now)
      return
    }
    cancellation = Cancellation(reason: reason, signal: signal)
    runTimer?.cancel()
    let waiting = plan.steps.indices.filter {
      !record.tasks[$0].status.isFinished && running[$0] == nil
    }
    let runningAlways = running.keys.filter { plan.steps[$0].task.runIf == .always }.count
    let always =
      runningAlways
      + waiting.filter {
        record.tasks[$0].attempts.isEmpty && plan.steps[$0].task.runIf == .always
      }.count
    let finallyTimeout = plan.pipeline.finallyTimeout
    events.log(
      "cancelling: \(reason); stopping \(running.count - runningAlways) running task(s)"
        + (always > 0
          ? "; \(always) run_if: always task(s) may run for up to "
            + DurationText.format(finallyTimeout) : ""))
    for (index, attempt) in running {
      guard plan.steps[index].task.runIf != .always else {
        running[index]?.finally = true
        continue
      }
      running[index]?.cancelled = true
      stop(attempt, grace: plan.steps[index].task.killGrace, index: index)
    }
    for index in waiting {
      retryTimers.removeValue(forKey: index)?.cancel()
      if let last = record.tasks[index].attempts.last {
        finish(index, as: last.timedOut ? .timedOut : .failed, reason: "no retry: \(reason)")
      } else if plan.steps[index].task.runIf != .always {
        finish(index, as: .skipped, reason: reason)
      }
    }
    let timer = DispatchWorkItem { [weak self] in
      self?.stopFinally(
        reason: "finally_timeout (\(DurationText.format(finallyTimeout))) reached",
        immediately: false)
    }
    finallyTimer = timer
    timers.after(finallyTimeout.seconds, on: queue, timer)
    advance()
  }

  /// Ends the `run_if: always` tasks of a run that is ending: those still
  /// waiting are skipped, running ones get SIGTERM (SIGKILL at once when
  /// `immediately`), then SIGKILL after their grace.
  func stopFinally(reason: String, immediately: Bool) {
    if immediately {
      events.log("\(reason): killing every task now")
      for attempt in running.values { attempt.executor.signal(attempt.handle, SIGKILL) }
      for group in lingeringGroups { ChildProcess.signalGroup(group, SIGKILL) }
    }
    guard !finallyStopped else { return }
    finallyStopped = true
    finallyTimer?.cancel()
    if !immediately { events.log("\(reason): stopping the run_if: always tasks") }
    for index in plan.steps.indices
    where !record.tasks[index].status.isFinished && running[index] == nil {
      finish(index, as: .skipped, reason: reason)
    }
    for (index, attempt) in running where !attempt.cancelled {
      running[index]?.cancelled = true
      running[index]?.stopReason = reason
      if !immediately {
        stop(attempt, grace: plan.steps[index].task.killGrace, index: index)
      }
    }
    advance()
  }

  /// What tasks are told of the run so far: `running`, `cancelled`
  /// (a signal) or `timed_out` (the run's timeout).
  var runStatusSoFar: String {
    guard let cancellation else { return "running" }
    return cancellation.signal == nil ? "timed_out" : RunStatus.cancelled.rawValue
  }
}
