import FoundationEssentials

/// The part of a run record that status statistics, anomaly baselines,
/// the search for abandoned runs and the list of runs need, small enough to keep thousands of
/// runs in an index and read them back in milliseconds.
public struct RunDigest: Sendable, Equatable {
  /// The record file's name in its pipeline's metrics directory.
  public var file: String
  public var runId: String
  public var status: RunStatus
  public var startedAt: Double
  public var durationSeconds: Double?
  /// Started with `--source`: not a run of the whole pipeline, so it does
  /// not answer for a due time of its schedule.
  public var sourceFiltered: Bool
  /// The environment it ran in (`--environment`); status judges each apart.
  public var environment: String?
  /// Started by cron or a timer rather than by hand: an environment that
  /// has such runs is expected to keep having them.
  public var scheduled: Bool
  /// The run `orchestrate rerun` reran.
  public var rerunOf: String?
  /// The tasks the run wanted (those `when:` left out are not counted),
  /// those a rerun took over included: `tasks` leaves those out.
  public var tasksTotal: Int
  /// Of those, the ones that ended without completing: failed, timed out,
  /// skipped or cancelled. Tasks still pending or running are not counted.
  public var tasksFailed: Int
  public var tasks: [TaskDigest]

  public struct TaskDigest: Sendable, Equatable {
    public var name: String
    public var status: TaskStatus
    public var durationSeconds: Double?
    public var peakRssBytes: Int?
    /// Counters the task reported through `$ORCHESTRATE_METRICS`.
    public var metrics: [String: Double]?
    /// How many times it was started: more than one means it needed a retry.
    public var attempts: Int

    public init(
      name: String, status: TaskStatus, durationSeconds: Double? = nil, peakRssBytes: Int? = nil,
      metrics: [String: Double]? = nil, attempts: Int = 1
    ) {
      self.name = name
      self.status = status
      self.durationSeconds = durationSeconds
      self.peakRssBytes = peakRssBytes
      self.metrics = metrics
      self.attempts = attempts
    }
  }

  public init(
    file: String, runId: String, status: RunStatus, startedAt: Double, durationSeconds: Double?,
    tasks: [TaskDigest], sourceFiltered: Bool = false, environment: String? = nil,
    scheduled: Bool = true, rerunOf: String? = nil, taskCounts: (total: Int, failed: Int)? = nil
  ) {
    self.environment = environment
    self.scheduled = scheduled
    self.rerunOf = rerunOf
    let counts = taskCounts ?? Self.taskCounts(tasks.map(\.status))
    self.tasksTotal = counts.total
    self.tasksFailed = counts.failed
    self.file = file
    self.runId = runId
    self.status = status
    self.startedAt = startedAt
    self.durationSeconds = durationSeconds
    self.sourceFiltered = sourceFiltered
    self.tasks = tasks
  }

  public init(_ record: RunRecord, file: String) {
    self.init(
      file: file, runId: record.runId, status: record.status,
      startedAt: record.startedAt.timeIntervalSince1970,
      durationSeconds: record.durationSeconds,
      // A rerun's tasks taken over from an earlier run are that run's
      // outcome: counting them again would count history twice.
      tasks: record.tasks.filter { $0.reusedFrom == nil }.map {
        TaskDigest(
          name: $0.name, status: $0.status, durationSeconds: $0.durationSeconds,
          peakRssBytes: $0.peakRssBytes, metrics: $0.metrics, attempts: $0.attempts.count)
      }, sourceFiltered: !record.sourceFilter.isEmpty, environment: record.environment,
      scheduled: record.trigger == .scheduled, rerunOf: record.rerunOf,
      taskCounts: Self.taskCounts(record.tasks.map(\.status)))
  }

  /// Wanted tasks, and those of them that ended without completing.
  package static func taskCounts(_ statuses: [TaskStatus]) -> (total: Int, failed: Int) {
    var total = 0
    var failed = 0
    for status in statuses where status != .notWanted {
      total += 1
      if status.isFinished && !status.isDone { failed += 1 }
    }
    return (total, failed)
  }
}

extension RunDigest {
  /// Decodes only what a digest needs, keys spelled out rather than
  /// converted: a cold status call reads every record ever written.
  /// `RecordShapeScanner` reads it when it is sure of it, the decoder
  /// otherwise (`scan: false`: always).
  static func decode(_ data: Data, file: String, scan: Bool = true) throws -> RunDigest {
    let scanned = scan ? RecordShapeScanner.shape(data) : nil
    let shape = try scanned ?? JSONDecoder().decode(RecordShape.self, from: data)
    guard let started = Timestamp.parse(shape.startedAt) else {
      throw DecodingError.dataCorrupted(
        .init(codingPath: [], debugDescription: "started_at is not a timestamp"))
    }
    guard RecordCoding.namesItsFile(runId: shape.runId, file: file) else {
      throw RecordCoding.MisnamedRecord(runId: shape.runId, file: file)
    }
    return RunDigest(
      file: file, runId: shape.runId, status: shape.status,
      startedAt: started.timeIntervalSince1970, durationSeconds: shape.durationSeconds,
      tasks: shape.tasks.filter { $0.reusedFrom == nil }.map {
        TaskDigest(
          name: $0.name, status: $0.status, durationSeconds: $0.durationSeconds,
          peakRssBytes: $0.peakRssBytes, metrics: $0.metrics, attempts: $0.attempts?.count ?? 1)
      }, sourceFiltered: !(shape.sourceFilter ?? []).isEmpty, environment: shape.environment,
      scheduled: shape.trigger != RunRecord.Trigger.manual.rawValue, rerunOf: shape.rerunOf,
      taskCounts: taskCounts(shape.tasks.map(\.status)))
  }

  struct RecordShape: Decodable {
    var schemaVersion: Int
    var pipeline: String
    var runId: String
    var status: RunStatus
    var startedAt: String
    var durationSeconds: Double?
    var sourceFilter: [String]?
    var environment: String?
    var trigger: String?
    var rerunOf: String?
    var tasks: [TaskShape]

    enum CodingKeys: String, CodingKey {
      case schemaVersion = "schema_version"
      case pipeline
      case runId = "run_id"
      case status
      case startedAt = "started_at"
      case durationSeconds = "duration_seconds"
      case sourceFilter = "source_filter"
      case environment, trigger
      case rerunOf = "rerun_of"
      case tasks
    }
  }

  struct TaskShape: Decodable {
    var name: String
    var status: TaskStatus
    var reusedFrom: String?
    var durationSeconds: Double?
    var peakRssBytes: Int?
    var metrics: [String: Double]?
    var attempts: [Attempt]?

    enum CodingKeys: String, CodingKey {
      case name, status
      case reusedFrom = "reused_from"
      case durationSeconds = "duration_seconds"
      case peakRssBytes = "peak_rss_bytes"
      case metrics, attempts
    }
  }

  /// Only counted: an empty shape skips every field.
  struct Attempt: Decodable {}
}
