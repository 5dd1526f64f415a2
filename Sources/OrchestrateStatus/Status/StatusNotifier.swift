import FoundationEssentials

/// `orchestrate status --notify`: what no run can report itself. Everything
/// status calls CRITICAL goes to the pipelines' channels once per occurrence:
/// missed runs (of pipelines that never ran too), stuck and abandoned runs,
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
  static func occurrences(_ status: PipelineStatus, refusalTold: Bool = false) -> [Occurrence] {
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
    let record = newestRun.flatMap {
      RecordCoding.readRecord(at: "\(directory)/\($0).json")
    }
    // The channels are the pipeline file's, as the newest run read it; for
    // a pipeline that never ran, its file in pipelines/.
    guard
      let file = record?.pipelineFile
        ?? DeclaredPipelines.file(of: status.name, layout: layout)
    else { return [] }
    let pipeline: Pipeline
    do {
      pipeline = try PipelineLoader.load(file: file)
    } catch {
      return [Line(text: "\(status.name): cannot read its channels: \(error)", isWarning: true)]
    }
    let environmentName = record?.environment ?? pipeline.defaultEnvironment
    let channels = pipeline.notify.channels(for: environmentName, in: pipeline)
    guard !channels.isEmpty else { return [] }
    var request = RunSettings.Request(environment: environmentName)
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
    let refusalTold =
      record?.status == .refused && (record?.notifications ?? []).contains(where: \.delivered)
    // Each environment's occurrences apart: `prod/missed:…`.
    let scope = status.environment.map { "\($0)/" } ?? ""
    let current = occurrences(status, refusalTold: refusalTold).map {
      var occurrence = $0
      occurrence.key = scope + occurrence.key
      return occurrence
    }
    let mine = { (key: String) in scope.isEmpty ? !key.contains("/") : key.hasPrefix(scope) }
    let batch = NotificationBatch()
    let deadline = now.addingTimeInterval(pipeline.notify.timeout.seconds)
    var launched: [(occurrence: String, channel: String)] = []
    func send(_ content: NotificationContent, occurrence: String, index: Int) {
      let channel = channels[index]
      let key = NotifySettings.stateKey(
        environment: environmentName, index: index, channel: channel)
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
        environment: environmentName)
      for (index, channel) in channels.enumerated() where channel.events.contains(occurrence.event)
      {
        let key = NotifySettings.stateKey(
          environment: environmentName, index: index, channel: channel)
        if !told.contains(key) { send(content, occurrence: occurrence.key, index: index) }
      }
    }
    let currentKeys = Set(current.map(\.key))
    for (key, alert) in state.alerts.sorted(by: { $0.key < $1.key })
    where mine(key) && !currentKeys.contains(key) && alert.event != .failure {
      let content = NotificationContent.problem(
        pipeline: status.name, event: .recovery, headline: "RECOVERED",
        reason: "cleared: \(alert.text)", host: host, environment: environmentName)
      for (index, channel) in channels.enumerated() where channel.events.contains(.recovery) {
        let channelKey = NotifySettings.stateKey(
          environment: environmentName, index: index, channel: channel)
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
              "\(status.label): \(result.record.event.rawValue) sent to \(result.record.channelName)",
            isWarning: false))
      } else {
        failed[occurrence, default: []].insert(result.key)
        if let warning = result.record.warning {
          lines.append(Line(text: "\(status.name): \(warning)", isWarning: true))
        }
      }
    }
    // A pipeline that never ran has no folder yet: its alerts need one.
    if !results.isEmpty { _ = FileSystem.makeDirectories(directory) }
    let stateError = NotifyState.update(directory: directory) { state in
      for occurrence in current {
        var alert =
          state.alerts[occurrence.key]
          ?? .init(event: occurrence.event, since: now, text: occurrence.reason, channels: [])
        alert.channels = Array(Set(alert.channels).union(delivered[occurrence.key] ?? [])).sorted()
        state.alerts[occurrence.key] = alert
      }
      for key in Array(state.alerts.keys) where mine(key) && !currentKeys.contains(key) {
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
