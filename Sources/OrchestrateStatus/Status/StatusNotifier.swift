import FoundationEssentials

/// `orchestrate status --notify`: what no run can report itself. Everything
/// status calls CRITICAL goes to the pipelines' channels once per occurrence:
/// missed runs (of pipelines that never ran too), stuck and abandoned runs,
/// runs paused longer than `paused_after` (to channels that want `paused`),
/// a refusal no channel heard of, and no success within max_age; and a
/// recovery when a missed, stuck or stale one clears. The occurrences told
/// are kept in `.notify-state`.
public enum StatusNotifier {
  /// A line for the person running it; warnings are undelivered messages
  /// and pipelines whose channels could not be read.
  public struct Line: Sendable {
    public var text: String
    public var isWarning: Bool
  }

  /// A problem status sees now, by the key it is remembered under.
  struct Occurrence {
    var key: String
    var event: NotifyEvent
    var headline: String
    var reason: String
    var runId: String?
  }

  public static func notify(
    _ report: StatusReport, layout: RootLayout,
    environment: [String: String] = ProcessInfo.processInfo.environment, now: Date = Date()
  ) -> [Line] {
    var lines: [Line] = []
    for status in report.pipelines {
      lines += notify(status, layout: layout, environment: environment, now: now)
    }
    return lines
  }

  /// `refusalTold`: the newest run was refused and its own message reached a channel.
  static func occurrences(_ status: PipelineStatus, refusalTold: Bool = false, now: Date = Date())
    -> [Occurrence]
  {
    let seconds = DurationDisplay.summary
    var found: [Occurrence] = []
    // Stale: runs stopped coming after a success. A run that did not
    // complete has told its own failure (or is refused, below).
    if let missed = status.missed {
      found.append(
        Occurrence(
          key: "missed:\(Timestamp.format(missed.dueAt))", event: .missed, headline: "MISSED",
          reason: HealthRules.missedMessage(missed, status)))
    } else if status.lastRun?.status == .completed, status.running.allSatisfy(\.stuck),
      let stale = HealthRules.staleMessage(status)
    {
      found.append(
        Occurrence(
          key: "stale:\(status.lastSuccess?.runId ?? "never")", event: .missed, headline: "STALE",
          reason: stale))
    }
    if let last = status.lastRun, last.status == .refused, !refusalTold {
      found.append(
        Occurrence(
          key: "refused:\(last.runId)", event: .failure, headline: "REFUSED",
          reason: "run \(last.runId) refused: \(last.reason ?? "no reason recorded")",
          runId: last.runId))
    }
    for run in status.running where run.stuck {
      var reason =
        "run \(run.runId) stuck: running for \(seconds(run.elapsedSeconds)) on \(run.host)"
        + " (stuck after \(seconds(status.stuckAfterSeconds)))"
      for task in run.tasks where task.stuck {
        reason +=
          "; task \(task.name) running for \(seconds(task.elapsedSeconds))"
          + " (stuck after \(seconds(task.stuckAfterSeconds)))"
      }
      found.append(
        Occurrence(
          key: "stuck:\(run.runId)", event: .stuck, headline: "STUCK", reason: reason,
          runId: run.runId))
    }
    // A pause the run told when it began (`paused`) and forgotten since.
    for run in status.running {
      guard let since = run.pausedSince, now.timeIntervalSince(since) > status.pausedAfterSeconds
      else { continue }
      found.append(
        Occurrence(
          key: "paused:\(run.runId)", event: .paused, headline: "PAUSED",
          reason: "run \(run.runId) paused for \(seconds(now.timeIntervalSince(since))) on "
            + "\(run.host) (paused after \(seconds(status.pausedAfterSeconds))): "
            + "orchestrate resume \(run.runId)", runId: run.runId))
    }
    if let items = status.items, items.stuck > items.alertStuckOver {
      // One occurrence while the count stays above the bound: its key is the
      // crossing, not the count, so a changing count is not news.
      found.append(
        Occurrence(
          key: "stuck_items", event: .stuckItems, headline: "STUCK ITEMS",
          reason:
            "\(items.stuck) items stuck: started over \(seconds(items.stuckAfterSeconds)) ago "
            + "(alert_stuck_over \(items.alertStuckOver))"))
    }
    for run in status.abandoned {
      found.append(
        Occurrence(
          key: "abandoned:\(run.runId)", event: .failure, headline: "ABANDONED",
          reason: "run \(run.runId) abandoned: \(run.reason)", runId: run.runId))
    }
    return found
  }

  /// A message owed to one channel about one occurrence (or its recovery).
  struct Message {
    var occurrence: String
    var content: NotificationContent
    var channel: Int
  }

  private static func notify(
    _ status: PipelineStatus, layout: RootLayout, environment: [String: String], now: Date
  ) -> [Line] {
    var lines: [Line] = []
    guard
      let audience = StatusAudience.read(
        status, layout: layout, environment: environment, warnings: &lines)
    else { return lines }
    let directory = layout.metricsDirectory(pipeline: status.name)
    let state = NotifyState.read(directory: directory)
    // Each environment's occurrences apart: `prod/missed:…`.
    let scope = status.environment.map { "\($0)/" } ?? ""
    let current = occurrences(status, refusalTold: audience.refusalTold, now: now).map {
      var occurrence = $0
      occurrence.key = scope + occurrence.key
      return occurrence
    }
    let mine = { (key: String) in scope.isEmpty ? !key.contains("/") : key.hasPrefix(scope) }
    let messages = owed(
      current, recoveries: state.alerts.filter { mine($0.key) }, of: status.name,
      to: audience, host: ProcessIdentity.current().host)

    let batch = NotificationBatch()
    let deadline = now.addingTimeInterval(audience.pipeline.notify.timeout.seconds)
    for message in messages {
      batch.launch(
        message.content, channel: audience.channels[message.channel],
        key: audience.stateKey(message.channel), environment: audience.variables,
        deadline: deadline, bound: audience.pipeline.notify.timeout)
    }
    let results = batch.wait()
    var delivered: [String: Set<String>] = [:]
    var failed: [String: Set<String>] = [:]
    for (message, result) in zip(messages, results) {
      if result.record.delivered {
        delivered[message.occurrence, default: []].insert(result.key)
        lines.append(
          Line(
            text:
              "\(status.label): \(result.record.event.rawValue) sent to \(result.record.channelName)",
            isWarning: false))
      } else {
        failed[message.occurrence, default: []].insert(result.key)
        if let warning = result.record.warning {
          lines.append(Line(text: "\(status.name): \(warning)", isWarning: true))
        }
      }
    }
    // A pipeline that never ran has no folder yet: its alerts need one.
    if !results.isEmpty { _ = FileSystem.makeDirectories(directory) }
    let stateError = NotifyState.update(directory: directory) { state in
      remember(current, delivered: delivered, failed: failed, in: &state, now: now, mine: mine)
    }
    if let stateError {
      lines.append(
        Line(text: "\(status.name): notify state not saved: \(stateError)", isWarning: true))
    }
    return lines
  }

  /// The messages owed now: each current occurrence to every channel that
  /// wants its event and has not heard of it, and a recovery for each
  /// remembered one that cleared, to the channels that heard of it.
  /// A failure (refused, abandoned) has no recovery of its own: the next
  /// run's end tells it.
  static func owed(
    _ current: [Occurrence], recoveries remembered: [String: NotifyState.Alert],
    of pipeline: String,
    to audience: StatusAudience, host: String
  ) -> [Message] {
    var messages: [Message] = []
    for occurrence in current {
      let told = Set(remembered[occurrence.key]?.channels ?? [])
      let content = NotificationContent.problem(
        pipeline: pipeline, event: occurrence.event, headline: occurrence.headline,
        reason: occurrence.reason, host: host, runId: occurrence.runId,
        environment: audience.environmentName)
      for (index, channel) in audience.channels.enumerated()
      where channel.events.contains(occurrence.event) && !told.contains(audience.stateKey(index)) {
        messages.append(Message(occurrence: occurrence.key, content: content, channel: index))
      }
    }
    let currentKeys = Set(current.map(\.key))
    for (key, alert) in remembered.sorted(by: { $0.key < $1.key })
    where !currentKeys.contains(key) && alert.event != .failure {
      let content = NotificationContent.problem(
        pipeline: pipeline, event: .recovery, headline: "RECOVERED",
        reason: "cleared: \(alert.text)", host: host, environment: audience.environmentName)
      for (index, channel) in audience.channels.enumerated()
      where channel.events.contains(.recovery) && alert.channels.contains(audience.stateKey(index))
      {
        messages.append(Message(occurrence: key, content: content, channel: index))
      }
    }
    return messages
  }

  /// The state after sending: a current occurrence remembers the channels
  /// that now heard of it; one that cleared is kept only while a recovery
  /// is still owed to some channel.
  static func remember(
    _ current: [Occurrence], delivered: [String: Set<String>], failed: [String: Set<String>],
    in state: inout NotifyState, now: Date, mine: (String) -> Bool
  ) {
    for occurrence in current {
      var alert =
        state.alerts[occurrence.key]
        ?? .init(event: occurrence.event, since: now, text: occurrence.reason, channels: [])
      alert.channels = Array(Set(alert.channels).union(delivered[occurrence.key] ?? [])).sorted()
      state.alerts[occurrence.key] = alert
    }
    let currentKeys = Set(current.map(\.key))
    for key in Array(state.alerts.keys) where mine(key) && !currentKeys.contains(key) {
      let owed = failed[key] ?? []
      if owed.isEmpty {
        state.alerts[key] = nil
      } else {
        state.alerts[key]?.channels = owed.sorted()
      }
    }
  }
}
