import FoundationEssentials

/// Which events a run's end sends to one channel. Change-only by default:
/// the first failure of a streak, then at most once per `repeat`, and the
/// recovery once; `every_run` sends every matching event.
public enum ChangeOnlyPolicy {
  /// The event a run's end stands for: recovery is a completed run after
  /// one or more that were not.
  public static func primaryEvent(_ status: RunStatus, wasFailing: Bool) -> NotifyEvent {
    switch status {
    case .completed: wasFailing ? .recovery : .success
    case .partial: .partial
    default: .failure
    }
  }

  /// The events to send to `channel` for a run that ended with `event`.
  public static func events(
    for channel: NotifyChannel, state: NotifyState.ChannelState?,
    primary event: NotifyEvent, failingSince: String?, hasAnomalies: Bool, now: Date
  ) -> [NotifyEvent] {
    var events: [NotifyEvent] = []
    switch event {
    case .failure, .partial:
      guard channel.events.contains(event) else { break }
      if channel.everyRun {
        events.append(event)
      } else if state?.failingSince != failingSince || state?.lastFailureSentAt == nil {
        // The first of this streak this channel hears of.
        events.append(event)
      } else if let repeatAfter = channel.repeatAfter, let last = state?.lastFailureSentAt,
        now.timeIntervalSince(last) >= Double(repeatAfter.components.seconds)
      {
        events.append(event)
      }
    case .recovery:
      if channel.events.contains(.recovery) {
        events.append(.recovery)
      } else if channel.events.contains(.success) {
        events.append(.success)
      }
    default:
      if channel.events.contains(event) { events.append(event) }
    }
    if hasAnomalies && channel.events.contains(.anomaly) { events.append(.anomaly) }
    return events
  }
}
