import Dispatch

/// When the scheduler's timers fire (timeouts, kill graces, retry delays, the
/// run's timeout, `finally_timeout`): on the dispatch queue's clock in a run,
/// and when a test moves its clock on, so that scheduling is tested without
/// waiting.
protocol SchedulerTimers: Sendable {
  /// Runs `work` on `queue` once `seconds` have passed, unless it is cancelled first.
  func after(_ seconds: Double, on queue: DispatchQueue, _ work: DispatchWorkItem)
}

struct DispatchTimers: SchedulerTimers {
  func after(_ seconds: Double, on queue: DispatchQueue, _ work: DispatchWorkItem) {
    queue.asyncAfter(deadline: .now() + seconds, execute: work)
  }
}
