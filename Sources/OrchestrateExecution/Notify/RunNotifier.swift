import FoundationEssentials

/// A run's notifications: `start` while the tasks begin, then at the end
/// the events the change-only state allows, all channels at once and
/// within `notify_timeout`; what became of each message goes into the
/// record, and a message that could not be delivered is a warning, never
/// a change of the run's status or exit code.
public final class RunNotifier {
  let channels: [NotifyChannel]
  let timeout: Duration
  let environment: [String: String]
  let environmentName: String?
  let mask: SecretMask
  let layout: RootLayout
  let events: EventLog
  private let batch = NotificationBatch()

  /// Nil when the run notifies nobody.
  public convenience init?(
    plan: Plan, environment: [String: String], layout: RootLayout, events: EventLog
  ) {
    self.init(
      pipeline: plan.pipeline, environmentName: plan.settings.environment,
      variables: plan.settings.variables, mask: plan.settings.mask, environment: environment,
      layout: layout, events: events)
  }

  /// `variables`: what the run's environment adds (its env and env_file,
  /// parameters); empty for a run refused before they were read.
  public init?(
    pipeline: Pipeline, environmentName: String?, variables: [String: String] = [:],
    mask: SecretMask = SecretMask(), environment: [String: String], layout: RootLayout,
    events: EventLog
  ) {
    channels = pipeline.notify.channels(for: environmentName, in: pipeline)
    guard !channels.isEmpty else { return nil }
    timeout = pipeline.notify.timeout
    // What the tasks see: the pipeline's env, the environment's env and env_file.
    var merged = environment
    for (key, value) in pipeline.environment { merged[key] = value }
    for (key, value) in variables { merged[key] = value }
    self.environment = merged
    self.environmentName = environmentName
    self.mask = mask
    self.layout = layout
    self.events = events
  }

  /// Sends `start` where it is wanted, without waiting for an answer.
  public func runStarted(_ record: RunRecord) {
    let content = NotificationContent.run(
      record, event: .start, failingSince: nil, mask: mask, root: layout.root)
    let deadline = Date().addingTimeInterval(timeout.seconds)
    for (index, channel) in channels.enumerated() where channel.events.contains(.start) {
      batch.launch(
        content, channel: channel, key: key(index, channel), environment: environment,
        deadline: deadline, bound: timeout)
    }
  }

  /// Sends `paused` where it is wanted, without waiting for an answer.
  public func runPaused(_ record: RunRecord) {
    var content = NotificationContent.run(
      record, event: .paused, failingSince: nil, mask: mask, root: layout.root)
    content.reason = record.pausedSince.map { "paused since \(Timestamp.format($0))" }
    let deadline = Date().addingTimeInterval(timeout.seconds)
    for (index, channel) in channels.enumerated() where channel.events.contains(.paused) {
      batch.launch(
        content, channel: channel, key: key(index, channel), environment: environment,
        deadline: deadline, bound: timeout)
    }
  }

  /// Sends what the final `record` calls for and returns the record with
  /// `notifications`, rewritten in `metricsFile` (nil: a refused run that
  /// could not be recorded).
  public func runEnded(_ record: RunRecord, metricsFile: String?) -> RunRecord {
    let directory = layout.metricsDirectory(pipeline: record.pipeline)
    let state = NotifyState.read(directory: directory)
    var failing: NotificationContent.FailingSince?
    let streak = state.failing(in: record.environment)
    var primary = ChangeOnlyPolicy.primaryEvent(record.status, wasFailing: streak != nil)
    if record.status != .completed {
      failing =
        streak ?? .init(runId: record.runId, startedAt: record.startedAt, runs: 0)
      failing!.runs += 1
    } else if let streak, !Self.covers(record, failuresOf: streak.runId, in: directory) {
      // A run of part of the pipeline (--source, --task) that did not run
      // what was failing: it completed, but nothing recovered.
      failing = streak
      primary = .success
    }
    let now = Date()
    let deadline = now.addingTimeInterval(timeout.seconds)
    for (index, channel) in channels.enumerated() {
      let key = key(index, channel)
      let chosen = ChangeOnlyPolicy.events(
        for: channel, state: state.channels[key], primary: primary,
        failingSince: failing?.runId, hasAnomalies: !(record.anomalies ?? []).isEmpty, now: now)
      for event in chosen {
        let content = NotificationContent.run(
          record, event: event, failingSince: failing, mask: mask, root: layout.root)
        batch.launch(
          content, channel: channel, key: key, environment: environment, deadline: deadline,
          bound: timeout)
      }
    }
    let results = batch.wait()
    for result in results {
      // A problem: in the run's log, and in the report cron mails.
      if let warning = result.record.warning { events.problem(warning) }
    }
    let failureSent = Set(
      results.filter {
        $0.record.delivered && ($0.record.event == .failure || $0.record.event == .partial)
      }.map(\.key))
    let stateError = NotifyState.update(directory: directory) { state in
      state.setFailing(failing, in: record.environment)
      for key in failureSent {
        state.channels[key] = .init(failingSince: failing?.runId, lastFailureSentAt: now)
      }
    }
    if let stateError { events.problem("notify state not saved: \(stateError)") }
    guard !results.isEmpty else { return record }
    var final = record
    final.notifications = results.map(\.record)
    guard let metricsFile else { return final }
    do {
      try AtomicFile.write(RecordJSON.encode(final), to: metricsFile)
    } catch {
      events.problem("the record's notifications could not be written: \(error.reason)")
      return record
    }
    return final
  }

  /// Whether `record` completed every task that did not complete in the run
  /// `failedRunId` (the first of the failing streak). A whole run always
  /// does; a run of some sources or tasks only when those were the failing ones.
  static func covers(_ record: RunRecord, failuresOf failedRunId: String, in directory: String)
    -> Bool
  {
    guard !record.sourceFilter.isEmpty || record.taskFilter != nil else { return true }
    guard RunID(failedRunId) != nil,
      let failed = RecordCoding.readRecord(at: "\(directory)/\(failedRunId).json")
    else { return false }
    let completed = Set(record.tasks.filter(\.status.isDone).map(\.name))
    let missing = failed.tasks.filter { !$0.status.isDone }.map(\.name)
    return !missing.isEmpty && missing.allSatisfy(completed.contains)
  }

  private func key(_ index: Int, _ channel: NotifyChannel) -> String {
    NotifySettings.stateKey(environment: environmentName, index: index, channel: channel)
  }
}

extension NotifySettings {
  /// An environment's `notify:` replaces the pipeline's. A run in an
  /// environment without one notifies the pipeline's channels only when it
  /// is the default environment: a dev run tells nobody unless asked.
  public func channels(for environment: String?, in pipeline: Pipeline) -> [NotifyChannel] {
    guard let environment else { return channels }
    if let own = pipeline.environments[environment]?.notify { return own }
    return environment == pipeline.defaultEnvironment ? channels : []
  }

  package static func stateKey(environment: String?, index: Int, channel: NotifyChannel) -> String {
    "\(environment ?? "-")#\(index):\(channel.kind.name)"
  }
}
