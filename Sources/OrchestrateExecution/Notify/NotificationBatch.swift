import Dispatch
import FoundationEssentials

/// Messages sent concurrently, each bounded by its deadline: what the
/// batch returns when waited on is settled, whether or not an endpoint
/// ever answered.
package final class NotificationBatch: @unchecked Sendable {
  package struct Result {
    package var key: String
    package var record: NotificationRecord
    package var answer: String?
  }

  private let group = DispatchGroup()
  private let lock = Lock()
  private var results: [Result?] = []
  private var pending: [(index: Int, key: String, record: NotificationRecord, bound: Duration)] = []
  private var latestDeadline = Date.distantPast
  package let pingRun = UUID()

  package init() {}

  /// Sends `content` to `channel` (its variables read from `environment`)
  /// before `deadline`; a channel that cannot be resolved is recorded as not sent.
  package func launch(
    _ content: NotificationContent, channel: NotifyChannel, key: String,
    environment: [String: String], deadline: Date, bound: Duration
  ) {
    let delivery: PreparedDelivery
    switch channel.kind.sender.prepare(environment: environment) {
    case .failure(let problem):
      add(
        Result(
          key: key,
          record: NotificationRecord(
            channel: channel.kind.name, host: problem.host, event: content.event, delivered: false,
            attempts: 0, error: problem.message)))
      return
    case .success(let prepared): delivery = prepared
    }
    let limit = "notify_timeout \(DurationText.format(bound))"
    let placeholder = NotificationRecord(
      channel: channel.kind.name, host: delivery.host, event: content.event, delivered: false,
      attempts: 1, error: "no answer within \(limit)")
    let index = lock.withLock {
      results.append(nil)
      pending.append((results.count - 1, key, placeholder, bound))
      latestDeadline = max(latestDeadline, deadline)
      return results.count - 1
    }
    let context = DeliveryContext(pingRun: pingRun, deadline: deadline, limit: limit)
    DispatchQueue.global().async(group: group) { [self] in
      let outcome = delivery.deliver(content, context)
      var record = placeholder
      record.delivered = outcome.delivered
      record.attempts = outcome.attempts
      record.httpStatus = outcome.httpStatus
      record.error = outcome.error
      lock.withLock { results[index] = Result(key: key, record: record, answer: outcome.answer) }
    }
  }

  package func add(_ result: Result) {
    lock.withLock { results.append(result) }
  }

  /// Every result, in launch order, once all are in or the latest deadline
  /// (and a moment for the last answers) has passed.
  package func wait() -> [Result] {
    let deadline = lock.withLock { latestDeadline }
    _ = group.wait(timeout: .now() + max(0, deadline.timeIntervalSinceNow) + 1)
    return lock.withLock {
      var settled = results
      for entry in pending where settled[entry.index] == nil {
        settled[entry.index] = Result(key: entry.key, record: entry.record)
      }
      return settled.compactMap { $0 }
    }
  }
}
