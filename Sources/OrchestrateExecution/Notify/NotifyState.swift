import FoundationEssentials
import Glibc

/// What has been said about a pipeline, so that the next message is only
/// about a change: `metrics/<pipeline>/.notify-state`, JSON, replaced
/// atomically. Losing it costs at most a repeated message.
public struct NotifyState: Codable, Sendable, Equatable {
  public var schemaVersion = 1
  /// The runs in a row that did not complete, when the newest did not:
  /// of runs without an environment here, of each environment's in
  /// `failingByEnvironment` (a dev run never ends prod's streak).
  public var failing: NotificationContent.FailingSince?
  public var failingByEnvironment: [String: NotificationContent.FailingSince]? = nil
  /// Per channel (`<environment>#<index>:<kind>`): the failing streak it
  /// was last told about, and when.
  public var channels: [String: ChannelState] = [:]
  /// Problems `status --notify` has reported and not yet seen cleared, by
  /// occurrence (`missed:<due time>`, `stuck:<run id>`, `abandoned:<run id>`).
  public var alerts: [String: Alert] = [:]

  public struct ChannelState: Codable, Sendable, Equatable {
    public var failingSince: String?
    public var lastFailureSentAt: Date?
  }

  public struct Alert: Codable, Sendable, Equatable {
    public var event: NotifyEvent
    public var since: Date
    /// What was said, for the message that it cleared.
    public var text: String
    /// The channels that were told, and so are told when it clears.
    public var channels: [String]

    package init(event: NotifyEvent, since: Date, text: String, channels: [String]) {
      self.event = event
      self.since = since
      self.text = text
      self.channels = channels
    }
  }

  public init() {}

  public func failing(in environment: String?) -> NotificationContent.FailingSince? {
    guard let environment else { return failing }
    return failingByEnvironment?[environment]
  }

  public mutating func setFailing(
    _ streak: NotificationContent.FailingSince?, in environment: String?
  ) {
    guard let environment else {
      failing = streak
      return
    }
    var streaks = failingByEnvironment ?? [:]
    streaks[environment] = streak
    failingByEnvironment = streaks.isEmpty ? nil : streaks
  }

  public static let fileName = ".notify-state"

  /// Reads the state (empty when missing or unreadable), lets `change`
  /// update it, and writes it back, under a lock so that a run ending and
  /// `status --notify` do not lose each other's updates.
  @discardableResult
  public static func update(
    directory: String, _ change: (inout NotifyState) -> Void
  ) -> AtomicFile.WriteError? {
    let lock = FileSystem.openOwn("\(directory)/\(fileName).lock", O_RDWR)
    if lock >= 0 { flock(lock, LOCK_EX) }
    defer { if lock >= 0 { close(lock) } }
    var state = read(directory: directory)
    change(&state)
    do {
      try AtomicFile.write(try RecordCoding.encoder().encode(state), to: "\(directory)/\(fileName)")
      return nil
    } catch let error as AtomicFile.WriteError {
      return error
    } catch {
      return AtomicFile.WriteError(path: "\(directory)/\(fileName)", reason: "\(error)")
    }
  }

  public static func read(directory: String) -> NotifyState {
    guard let data = FileManager.default.contents(atPath: "\(directory)/\(fileName)"),
      let state = try? RecordCoding.decoder().decode(NotifyState.self, from: data)
    else { return NotifyState() }
    return state
  }
}
