/// What became of one message, kept in the run record's `notifications`:
/// the channel's kind and host only, never its URL or headers.
public struct NotificationRecord: Codable, Sendable, Equatable {
  public var channel: String
  public var host: String?
  public var event: NotifyEvent
  public var delivered: Bool
  public var attempts: Int
  public var httpStatus: Int?
  public var error: String?

  public init(
    channel: String, host: String?, event: NotifyEvent, delivered: Bool, attempts: Int,
    httpStatus: Int? = nil, error: String? = nil
  ) {
    self.channel = channel
    self.host = host
    self.event = event
    self.delivered = delivered
    self.attempts = attempts
    self.httpStatus = httpStatus
    self.error = error
  }

  /// `slack (hooks.slack.com)`, `email`.
  public var channelName: String { host.map { "\(channel) (\($0))" } ?? channel }

  /// The one-line warning for an undelivered message.
  public var warning: String? {
    guard !delivered else { return nil }
    var text = "notify \(channelName): \(event.rawValue) not delivered"
    if attempts > 1 { text += " after \(attempts) attempts" }
    if let error { text += ": \(error)" } else if let httpStatus { text += ": HTTP \(httpStatus)" }
    return text
  }
}
