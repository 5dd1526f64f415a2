import FoundationEssentials
import Glibc

/// Sends one request through the `curl` program (with its certificate
/// checks): a timeout per attempt, retries on connection errors, timeouts,
/// 408, 429 and 5xx, `Retry-After` honoured while it fits before the
/// deadline, and never past the deadline.
///
/// Why a program and not Foundation's URLSession: linking FoundationNetworking
/// made every start of orchestrate load libcurl and some thirty libraries it
/// needs, doubling the start time of every run (4.4 → 8.1 ms for
/// `--version`) to serve the few runs that notify. The URL and header values
/// go to curl in a config file readable by this user only, never on its
/// command line, where `ps` would show them.
enum HTTPDelivery {
  static let attemptTimeout: Double = 10
  static let maximumAttempts = 3
  /// Waits before the second and third attempts.
  static let backoff: [Double] = [1, 4]

  struct Outcome: Sendable {
    var delivered: Bool
    var attempts: Int
    var httpStatus: Int?
    var error: String?
    /// The start of what the endpoint answered (for `notify test`).
    var answer: String?
  }

  static func send(
    url: URL, method: String, headers: [String: String], body: Data?, contentType: String?,
    deadline: Date, limit: String
  ) -> Outcome {
    var outcome = Outcome(delivered: false, attempts: 0)
    let noTimeLeft = "no time left for another attempt within \(limit)"
    while outcome.attempts < maximumAttempts {
      let remaining = deadline.timeIntervalSinceNow
      guard remaining > 0.05 else {
        outcome.error =
          outcome.error.map { "\($0) (\(noTimeLeft))" } ?? "no time left within \(limit)"
        return outcome
      }
      outcome.attempts += 1
      let timeout = min(attemptTimeout, remaining)
      var allHeaders = ["User-Agent": "orchestrate/\(OrchestrateVersion.current)"]
      if let contentType { allHeaders["Content-Type"] = contentType }
      for (name, value) in headers { allHeaders[name] = value }
      let attempt = CurlRequest(
        url: url.absoluteString, method: method, headers: allHeaders, body: body, timeout: timeout
      ).perform()
      outcome.httpStatus = attempt.status
      outcome.answer = attempt.answer
      var retryAfter: Double?
      if let status = attempt.status {
        if (200..<300).contains(status) {
          outcome.delivered = true
          outcome.error = nil
          return outcome
        }
        outcome.error = "HTTP \(status)"
        guard status == 408 || status == 429 || (500..<600).contains(status) else { return outcome }
        retryAfter = attempt.retryAfter
      } else if attempt.timedOut && timeout < attemptTimeout {
        outcome.error = "no answer within \(limit)"
        return outcome
      } else {
        outcome.error = attempt.error
        guard attempt.retriable else { return outcome }
      }
      guard outcome.attempts < maximumAttempts else { break }
      let wait = retryAfter ?? backoff[min(outcome.attempts - 1, backoff.count - 1)]
      // A wait that would end past the deadline is not worth starting.
      guard wait < deadline.timeIntervalSinceNow else {
        outcome.error! +=
          retryAfter != nil
          ? " (Retry-After \(Int(wait))s is beyond \(limit))" : " (\(noTimeLeft))"
        return outcome
      }
      var pause = timespec(
        tv_sec: Int(wait), tv_nsec: Int(wait.truncatingRemainder(dividingBy: 1) * 1e9))
      nanosleep(&pause, nil)
    }
    return outcome
  }

  /// Seconds, or an HTTP date.
  static func retryAfter(_ value: String?) -> Double? {
    guard let value = value?.trimmed, !value.isEmpty else {
      return nil
    }
    if let seconds = Double(value), seconds >= 0 { return seconds }
    return InternetDate.parse(value).map { max(0, $0.timeIntervalSinceNow) }
  }

  static func format(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? "\(Int(seconds))s" : String(printf: "%.1fs", seconds)
  }
}
