import FoundationEssentials

/// What one message says, built from a run's final record (or from a status
/// problem): the webhook's JSON document as it is, and the source of the
/// Slack, email and ping renderings. Schema: docs/notification.schema.json.
public struct NotificationContent: Codable, Sendable, Equatable {
  public var schemaVersion = 1
  public var event: NotifyEvent
  /// One line: `daily FAILED on etl-01: 2 of 9 tasks did not complete`.
  public var title: String
  public var pipeline: String
  public var environment: String?
  public var host: String
  public var runId: String?
  public var status: RunStatus?
  public var exitCode: Int32?
  /// Why the run ended early, or what status found (missed, stuck).
  public var reason: String?
  public var startedAt: Date?
  public var finishedAt: Date?
  public var durationSeconds: Double?
  public var logicalDate: String?
  public var counts: Counts?
  /// Every wanted task that did not complete (those `when:` left out are not here).
  public var failedTasks: [FailedTask]
  /// Each counter summed over its task's instances, with each source's
  /// share: the record's `totals`, read before the per-instance `counters`.
  public var totals: CounterTotals
  /// What the tasks reported through `$ORCHESTRATE_METRICS`, by task.
  public var counters: [String: [String: Double]]
  public var anomalies: [String]
  public var failingSince: FailingSince?
  /// Run this to read the logs.
  public var logsCommand: String?
  public var orchestrateVersion = OrchestrateVersion.current

  public struct Counts: Codable, Sendable, Equatable {
    public var total: Int
    public var completed: Int
    public var failed: Int
    public var timedOut: Int
    public var skipped: Int
    public var cancelled: Int
    /// Left out by `when:`: not wanted, so neither completed nor missing.
    public var notWanted: Int
  }

  public struct FailedTask: Codable, Sendable, Equatable {
    public var name: String
    public var status: TaskStatus
    public var reason: String?
    public var exitCode: Int32?
    /// The last lines of its output, secrets masked.
    public var outputTail: String?
  }

  public struct FailingSince: Codable, Sendable, Equatable {
    public var runId: String
    public var startedAt: Date
    /// Runs in a row that did not complete, this one included.
    public var runs: Int
  }

  /// At most this many lines of each task's output...
  public static let tailLines = 10
  /// ...and this many bytes of output in all.
  public static let tailBytes = 4096

  /// The message for `event` about the run `record`.
  public static func run(
    _ record: RunRecord, event: NotifyEvent, failingSince: FailingSince?, mask: SecretMask,
    root: String
  ) -> NotificationContent {
    var budget = tailBytes
    let failed = record.tasks.filter { !$0.status.isDone }.map { task in
      FailedTask(
        name: task.name, status: task.status, reason: task.reason.map(mask.apply),
        exitCode: task.exitCode, outputTail: tail(task.error, mask: mask, budget: &budget))
    }
    var counters: [String: [String: Double]] = [:]
    for task in record.tasks where !(task.metrics ?? [:]).isEmpty {
      counters[task.name] = task.metrics
    }
    let counts = record.counts
    return NotificationContent(
      event: event,
      title: title(record, event: event),
      pipeline: record.pipeline, environment: record.environment, host: record.host,
      runId: record.runId, status: record.status, exitCode: record.exitCode,
      reason: record.reason.map(mask.apply), startedAt: record.startedAt,
      finishedAt: record.finishedAt, durationSeconds: record.durationSeconds,
      logicalDate: record.logicalDate,
      counts: Counts(
        total: counts.total, completed: counts.completed, failed: counts.failed,
        timedOut: counts.timedOut, skipped: counts.skipped, cancelled: counts.cancelled,
        notWanted: counts.notWanted),
      failedTasks: failed, totals: CounterTotal.totals(of: record.tasks) ?? [:], counters: counters,
      anomalies: (record.anomalies ?? []).map(\.sentence),
      failingSince: event == .failure || event == .partial ? failingSince : nil,
      logsCommand: "orchestrate logs \(record.runId) --root \(root)")
  }

  /// A message about the pipeline as status sees it (missed, stuck, cleared).
  public static func problem(
    pipeline: String, event: NotifyEvent, headline: String, reason: String, host: String,
    runId: String? = nil, environment: String? = nil
  ) -> NotificationContent {
    NotificationContent(
      event: event, title: "\(named(pipeline, environment)) \(headline) on \(host)",
      pipeline: pipeline,
      environment: environment, host: host, runId: runId, reason: reason, failedTasks: [],
      totals: [:], counters: [:], anomalies: [])
  }

  /// Says what it counts, of the tasks the run wanted:
  /// `daily FAILED on etl-01: 2 of 9 tasks did not complete`,
  /// `daily RECOVERED on etl-01: 9 of 9 tasks completed`.
  static func title(_ record: RunRecord, event: NotifyEvent) -> String {
    let counts = record.counts
    let wanted = counts.wanted
    let notCompleted = wanted - counts.completed
    let word =
      switch event {
      case .start: "STARTED"
      case .paused: "PAUSED"
      case .recovery: "RECOVERED"
      case .anomaly: "COMPLETED WITH ANOMALIES"
      case .test: "TEST"
      default: record.status.rawValue.uppercased()
      }
    let detail =
      switch event {
      case _ where record.status == .refused: "nothing ran"
      case .start: "\(wanted) tasks"
      case .failure, .partial: "\(notCompleted) of \(wanted) tasks did not complete"
      default: "\(counts.completed) of \(wanted) tasks completed"
      }
    return "\(named(record.pipeline, record.environment)) \(word) on \(record.host): \(detail)"
  }

  /// `ingest`, or `ingest (prod)`: a dev message never reads like prod's.
  static func named(_ pipeline: String, _ environment: String?) -> String {
    environment.map { "\(pipeline) (\($0))" } ?? pipeline
  }

  /// The last `tailLines` lines of `output`, masked, within what is left of `budget`.
  static func tail(_ output: String?, mask: SecretMask, budget: inout Int) -> String? {
    guard let output, budget > 0 else { return nil }
    var lines = mask.apply(output).split(separator: "\n", omittingEmptySubsequences: false)
    while lines.last?.isEmpty == true { lines.removeLast() }
    var text = lines.suffix(tailLines).joined(separator: "\n")
    if text.utf8.count > budget {
      // Keep the end: the last lines say why it failed.
      let bytes = Array(text.utf8.suffix(budget))
      text = String(decoding: bytes.drop { $0 & 0xC0 == 0x80 }, as: UTF8.self)
    }
    guard !text.isEmpty else { return nil }
    budget -= text.utf8.count
    return text
  }
}
