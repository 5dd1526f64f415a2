import FoundationEssentials

/// What a person can be told about, by name in `on:`.
public enum NotifyEvent: String, Codable, Sendable, CaseIterable, Comparable {
  case start, success, partial, failure, recovery, anomaly, missed, stuck
  /// A run was paused (`orchestrate pause`), told by the run when it pauses.
  case paused
  /// More items stuck in a stage than `items.alert_stuck_over` (status --notify).
  case stuckItems = "stuck_items"
  /// Only from `orchestrate notify test`.
  case test

  /// The events a file may list in `on:`.
  static let subscribable = allCases.filter { $0 != .test }

  public static func < (lhs: NotifyEvent, rhs: NotifyEvent) -> Bool {
    allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
  }
}

/// One entry of `notify:`: where messages go and which events it wants.
/// It names environment variables only: URLs and header values are secrets
/// and are read when a message is sent, never stored.
public struct NotifyChannel: Sendable, Equatable {
  public enum Kind: Sendable, Equatable {
    case webhook(urlVariable: String, headerVariables: [String: String])
    case slack(urlVariable: String)
    case email(to: [String], from: String?, sendmail: String)
    case ping(urlVariable: String)

    public var name: String {
      switch self {
      case .webhook: "webhook"
      case .slack: "slack"
      case .email: "email"
      case .ping: "ping"
      }
    }
  }

  public var kind: Kind
  public var events: Set<NotifyEvent>
  /// Every matching event, instead of changes only.
  public var everyRun: Bool
  /// How often a pipeline that keeps failing is reported again; nil: never.
  public var repeatAfter: Duration?

  /// A partial run (some tasks failed) is as much news as a failed one.
  /// `missed` and `stuck` come only from `status --notify`, which someone
  /// set up to hear them: a night that never ran is news by default.
  public static let defaultEvents: Set<NotifyEvent> = [
    .failure, .partial, .recovery, .missed, .stuck,
  ]
  /// A ping tells a cron monitor that a run started and how it ended, every time.
  public static let pingEvents: Set<NotifyEvent> = [.start, .success, .partial, .failure]
  public static let defaultRepeat: Duration = .seconds(86400)
  public static let defaultSendmail = "/usr/sbin/sendmail"
}

/// The pipeline's notification settings: its channels and the bound on the
/// whole notification phase of a run.
public struct NotifySettings: Sendable, Equatable {
  public var channels: [NotifyChannel]
  public var timeout: Duration

  public static let defaultTimeout: Duration = .seconds(30)
  public static let none = NotifySettings(channels: [], timeout: defaultTimeout)

  public init(channels: [NotifyChannel], timeout: Duration = defaultTimeout) {
    self.channels = channels
    self.timeout = timeout
  }
}
