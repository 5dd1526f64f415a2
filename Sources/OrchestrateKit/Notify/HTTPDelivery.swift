import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// Sends one request with Foundation's URLSession (libcurl on Linux, with
/// its certificate checks): a timeout per attempt, retries on connection
/// errors, timeouts, 408, 429 and 5xx, `Retry-After` honoured while it fits
/// before the deadline, and never past the deadline.
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

  /// One session for every channel: its connections are reused, nothing is cached.
  private static let session: URLSession = {
    let configuration = URLSessionConfiguration.ephemeral
    configuration.httpCookieAcceptPolicy = .never
    configuration.httpShouldSetCookies = false
    configuration.urlCache = nil
    return URLSession(configuration: configuration)
  }()

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
      var request = URLRequest(
        url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
      request.httpMethod = method
      request.httpBody = body
      request.setValue(
        "orchestrate/\(OrchestrateVersion.current)", forHTTPHeaderField: "User-Agent")
      if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
      for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }

      let attempt = perform(request, timeout: timeout)
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
      Thread.sleep(forTimeInterval: wait)
    }
    return outcome
  }

  private struct Attempt: @unchecked Sendable {
    var status: Int?
    var retryAfter: Double?
    var error: String?
    var retriable = false
    var timedOut = false
    var answer: String?
  }

  private final class Slot: @unchecked Sendable {
    var attempt = Attempt(error: "no answer", retriable: true)
  }

  private static func perform(_ request: URLRequest, timeout: Double) -> Attempt {
    let done = DispatchSemaphore(value: 0)
    let slot = Slot()
    let task = session.dataTask(with: request) { data, response, error in
      if let response = response as? HTTPURLResponse {
        slot.attempt = Attempt(
          status: response.statusCode,
          retryAfter: retryAfter(response.value(forHTTPHeaderField: "Retry-After")),
          answer: data.map { String(decoding: $0.prefix(300), as: UTF8.self) })
      } else if let error = error as? URLError {
        slot.attempt = Attempt(
          error: describe(error, timeout: timeout), retriable: isRetriable(error),
          timedOut: error.code == .timedOut)
      } else if let error {
        slot.attempt = Attempt(error: error.localizedDescription, retriable: true)
      }
      done.signal()
    }
    task.resume()
    // libcurl's timeout is on silence; a trickling server is cut off here.
    if done.wait(timeout: .now() + timeout + 0.5) == .timedOut {
      task.cancel()
      return Attempt(
        error: "no answer within \(format(timeout))", retriable: true, timedOut: true)
    }
    return slot.attempt
  }

  static func isRetriable(_ error: URLError) -> Bool {
    switch error.code {
    case .timedOut, .cannotConnectToHost, .networkConnectionLost, .cannotFindHost,
      .dnsLookupFailed, .notConnectedToInternet, .badServerResponse, .zeroByteResource:
      true
    default: false
    }
  }

  static func describe(_ error: URLError, timeout: Double) -> String {
    switch error.code {
    case .timedOut: "no answer within \(format(timeout))"
    case .cannotConnectToHost: "connection refused"
    case .cannotFindHost, .dnsLookupFailed: "host not found"
    case .networkConnectionLost: "connection lost"
    case .serverCertificateUntrusted, .serverCertificateHasBadDate,
      .serverCertificateHasUnknownRoot,
      .serverCertificateNotYetValid, .secureConnectionFailed:
      "TLS: \(error.localizedDescription)"
    default: error.localizedDescription
    }
  }

  /// Seconds, or an HTTP date.
  static func retryAfter(_ value: String?) -> Double? {
    guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
      return nil
    }
    if let seconds = Double(value), seconds >= 0 { return seconds }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "GMT")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
    return formatter.date(from: value).map { max(0, $0.timeIntervalSinceNow) }
  }

  static func format(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? "\(Int(seconds))s" : String(format: "%.1fs", seconds)
  }
}
