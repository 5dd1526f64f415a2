import FoundationEssentials

/// `orchestrate status --notify`: what no run can report itself. Missed,
/// stuck and abandoned runs go to the pipelines' channels once per
/// occurrence, and a recovery when a missed or stuck run clears; the
/// occurrences told are kept in `.notify-state`.
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

  static func occurrences(_ status: PipelineStatus) -> [Occurrence] {
    let seconds = RunSummary.formatSeconds
    var found: [Occurrence] = []
    if let missed = status.missed {
      found.append(
        Occurrence(
          key: "missed:\(Timestamp.format(missed.dueAt))", event: .missed, headline: "MISSED",
          reason:
            "missed run: due \(DueTime.format(missed.dueAt, zone: status.timezone)), none started "
            + "since (\(seconds(missed.lateSeconds)) late)"))
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
    for run in status.abandoned {
      found.append(
        Occurrence(
          key: "abandoned:\(run.runId)", event: .failure, headline: "ABANDONED",
          reason: "run \(run.runId) abandoned: \(run.reason)", runId: run.runId))
    }
    return found
  }

  private static func notify(
    _ status: PipelineStatus, layout: RootLayout, environment: [String: String], now: Date
  ) -> [Line] {
    let directory = layout.metricsDirectory(pipeline: status.name)
    let newestRun = status.running.last?.runId ?? status.lastRun?.runId
    guard let newestRun,
      let record = RecordCoding.readRecord(at: "\(directory)/\(newestRun).json")
    else { return [] }
    // The channels are the pipeline file's, as the newest run read it.
    let pipeline: Pipeline
    do {
      pipeline = try PipelineLoader.load(file: record.pipelineFile)
    } catch {
      return [Line(text: "\(status.name): cannot read its channels: \(error)", isWarning: true)]
    }
    let channels = pipeline.notify.channels(for: record.environment, in: pipeline)
    guard !channels.isEmpty else { return [] }
    var request = RunSettings.Request(environment: record.environment)
    request.allowsMissing = true
    var variables = environment
    for (key, value) in pipeline.environment { variables[key] = value }
    var lines: [Line] = []
    do {
      let settings = try RunSettings.resolve(pipeline, request: request, root: layout.root)
      for (key, value) in settings.variables { variables[key] = value }
    } catch {
      lines.append(Line(text: "\(status.name): \(error)", isWarning: true))
    }

    let host = ProcessIdentity.current().host
    let state = NotifyState.read(directory: directory)
    let current = occurrences(status)
    let batch = NotificationBatch()
    let deadline = now.addingTimeInterval(pipeline.notify.timeout.seconds)
    var launched: [(occurrence: String, channel: String)] = []
    func send(_ content: NotificationContent, occurrence: String, index: Int) {
      let channel = channels[index]
      let key = NotifySettings.stateKey(
        environment: record.environment, index: index, channel: channel)
      batch.launch(
        content, channel: channel, key: key, environment: variables, deadline: deadline,
        bound: pipeline.notify.timeout)
      launched.append((occurrence, key))
    }
    for occurrence in current {
      let told = Set(state.alerts[occurrence.key]?.channels ?? [])
      let content = NotificationContent.problem(
        pipeline: status.name, event: occurrence.event, headline: occurrence.headline,
        reason: occurrence.reason, host: host, runId: occurrence.runId,
        environment: record.environment)
      for (index, channel) in channels.enumerated() where channel.events.contains(occurrence.event)
      {
        let key = NotifySettings.stateKey(
          environment: record.environment, index: index, channel: channel)
        if !told.contains(key) { send(content, occurrence: occurrence.key, index: index) }
      }
    }
    let currentKeys = Set(current.map(\.key))
    for (key, alert) in state.alerts.sorted(by: { $0.key < $1.key })
    where !currentKeys.contains(key) && alert.event != .failure {
      let content = NotificationContent.problem(
        pipeline: status.name, event: .recovery, headline: "RECOVERED",
        reason: "cleared: \(alert.text)", host: host, environment: record.environment)
      for (index, channel) in channels.enumerated() where channel.events.contains(.recovery) {
        let channelKey = NotifySettings.stateKey(
          environment: record.environment, index: index, channel: channel)
        if alert.channels.contains(channelKey) { send(content, occurrence: key, index: index) }
      }
    }

    let results = batch.wait()
    var delivered: [String: Set<String>] = [:]
    var failed: [String: Set<String>] = [:]
    for (index, result) in results.enumerated() {
      let occurrence = index < launched.count ? launched[index].occurrence : ""
      if result.record.delivered {
        delivered[occurrence, default: []].insert(result.key)
        lines.append(
          Line(
            text:
              "\(status.name): \(result.record.event.rawValue) sent to \(result.record.channelName)",
            isWarning: false))
      } else {
        failed[occurrence, default: []].insert(result.key)
        if let warning = result.record.warning {
          lines.append(Line(text: "\(status.name): \(warning)", isWarning: true))
        }
      }
    }
    let stateError = NotifyState.update(directory: directory) { state in
      for occurrence in current {
        var alert =
          state.alerts[occurrence.key]
          ?? .init(event: occurrence.event, since: now, text: occurrence.reason, channels: [])
        alert.channels = Array(Set(alert.channels).union(delivered[occurrence.key] ?? [])).sorted()
        state.alerts[occurrence.key] = alert
      }
      for key in Array(state.alerts.keys) where !currentKeys.contains(key) {
        // Kept only while a recovery is still owed to some channel.
        let owed = failed[key] ?? []
        if owed.isEmpty {
          state.alerts[key] = nil
        } else {
          state.alerts[key]?.channels = owed.sorted()
        }
      }
    }
    if let stateError {
      lines.append(
        Line(text: "\(status.name): notify state not saved: \(stateError)", isWarning: true))
    }
    return lines
  }
}
