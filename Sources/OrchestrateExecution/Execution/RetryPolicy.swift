import FoundationEssentials
import Glibc

/// Whether an attempt that did not complete is tried again, and after how
/// long: `retries` more attempts, the n-th retry `retry_delay ×
/// retry_backoff^(n-1)` after the attempt before it ended.
struct RetryPolicy: Equatable {
  var retries: Int
  var delay: Duration
  var backoff: Double

  init(retries: Int, delay: Duration, backoff: Double) {
    self.retries = retries
    self.delay = delay
    self.backoff = backoff
  }

  init(_ task: PipelineTask) {
    self.init(retries: task.retries, delay: task.retryDelay, backoff: task.retryBackoff)
  }

  /// The wait before the attempt after `attempt` (1 for the first), or nil
  /// when `attempt` was the last allowed. Only failures and timeouts are
  /// retried; a cancelled run retries nothing.
  func delay(after attempt: Int, outcome: TaskStatus, cancelled: Bool) -> Double? {
    guard outcome == .failed || outcome == .timedOut, attempt <= retries, !cancelled else {
      return nil
    }
    // retry_backoff 100 over 100 retries grows past any clock: no wait is
    // longer than the longest duration a file may give.
    return min(
      delay.seconds * pow(backoff, Double(attempt - 1)), DurationText.maximum.seconds)
  }
}
