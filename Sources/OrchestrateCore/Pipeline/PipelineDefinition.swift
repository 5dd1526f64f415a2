/// A pipeline file exactly as written, before defaults and validation.
/// Every type here rejects keys it does not know.
struct PipelineDefinition: Decodable {
  var name: String?
  var description: String?
  var schedule: ScheduleSetting?
  var timezone: TimeZoneSetting?
  var scheduleGrace: DurationSetting?
  var env: [String: String]?
  var workingDirectory: String?
  var maxParallel: Int?
  var timeout: DurationSetting?
  var finallyTimeout: DurationSetting?
  var sources: [String]?
  var defaults: TaskSettings?
  var logs: LogPolicyDefinition?
  var stuckAfter: DurationSetting?
  var pausedAfter: DurationSetting?
  var maxAge: DurationSetting?
  var anomalies: AnomalyDefinition?
  var params: [String: ParameterDefinition]?
  var environments: [String: EnvironmentDefinition]?
  var defaultEnvironment: String?
  var dateOffset: DurationSetting?
  var metrics: MetricsDefinition?
  var health: HealthDefinition?
  var executor: ExecutorName?
  var slurm: SlurmDefinition?
  var notify: [NotifyChannelDefinition]?
  var notifyTimeout: DurationSetting?
  var report: ReportDefinition?
  var files: FilesDefinition?
  var items: ItemsDefinition?
  var tasks: [TaskDefinition]

  enum CodingKeys: String, CodingKey, CaseIterable {
    case name, description, schedule, timezone, env, sources, defaults, logs, tasks, timeout
    case anomalies, params, environments, metrics, health
    case notify
    case notifyTimeout = "notify_timeout"
    case report, files, items
    case scheduleGrace = "schedule_grace"
    case defaultEnvironment = "default_environment"
    case dateOffset = "date_offset"
    case executor, slurm
    case workingDirectory = "working_directory"
    case maxParallel = "max_parallel"
    case stuckAfter = "stuck_after"
    case pausedAfter = "paused_after"
    case maxAge = "max_age"
    case finallyTimeout = "finally_timeout"
  }

  init(from decoder: Decoder) throws {
    try decoder.rejectUnknownKeys(besides: CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    name = try c.decodeIfPresent(String.self, forKey: .name)
    description = try c.decodeIfPresent(String.self, forKey: .description)
    schedule = try c.decodeIfPresent(ScheduleSetting.self, forKey: .schedule)
    timezone = try c.decodeIfPresent(TimeZoneSetting.self, forKey: .timezone)
    scheduleGrace = try c.decodeIfPresent(DurationSetting.self, forKey: .scheduleGrace)
    env = try c.decodeIfPresent([String: String].self, forKey: .env)
    workingDirectory = try c.decodeIfPresent(String.self, forKey: .workingDirectory)
    maxParallel = try c.decodeIfPresent(Int.self, forKey: .maxParallel)
    timeout = try c.decodeIfPresent(DurationSetting.self, forKey: .timeout)
    finallyTimeout = try c.decodeIfPresent(DurationSetting.self, forKey: .finallyTimeout)
    sources = try c.decodeIfPresent([String].self, forKey: .sources)
    defaults = try c.decodeIfPresent(TaskSettings.self, forKey: .defaults)
    logs = try c.decodeIfPresent(LogPolicyDefinition.self, forKey: .logs)
    stuckAfter = try c.decodeIfPresent(DurationSetting.self, forKey: .stuckAfter)
    pausedAfter = try c.decodeIfPresent(DurationSetting.self, forKey: .pausedAfter)
    maxAge = try c.decodeIfPresent(DurationSetting.self, forKey: .maxAge)
    anomalies = try c.decodeIfPresent(AnomalyDefinition.self, forKey: .anomalies)
    params = try c.decodeIfPresent([String: ParameterDefinition].self, forKey: .params)
    environments = try c.decodeIfPresent(
      [String: EnvironmentDefinition].self, forKey: .environments)
    defaultEnvironment = try c.decodeIfPresent(String.self, forKey: .defaultEnvironment)
    dateOffset = try c.decodeIfPresent(DurationSetting.self, forKey: .dateOffset)
    metrics = try c.decodeIfPresent(MetricsDefinition.self, forKey: .metrics)
    health = try c.decodeIfPresent(HealthDefinition.self, forKey: .health)
    executor = try c.decodeIfPresent(ExecutorName.self, forKey: .executor)
    slurm = try c.decodeIfPresent(SlurmDefinition.self, forKey: .slurm)
    notify = try c.decodeIfPresent([NotifyChannelDefinition].self, forKey: .notify)
    notifyTimeout = try c.decodeIfPresent(DurationSetting.self, forKey: .notifyTimeout)
    report = try c.decodeIfPresent(ReportDefinition.self, forKey: .report)
    files = try c.decodeIfPresent(FilesDefinition.self, forKey: .files)
    items = try c.decodeIfPresent(ItemsDefinition.self, forKey: .items)
    tasks = try c.decode([TaskDefinition].self, forKey: .tasks)
  }
}

/// The task fields that `defaults:` may also set for every task.
struct TaskSettings: Decodable {
  var shell: String?
  var timeout: DurationSetting?
  var killGrace: DurationSetting?
  var retries: Int?
  var retryDelay: DurationSetting?
  var retryBackoff: Double?
  var env: [String: String]?
  var workingDirectory: String?

  enum CodingKeys: String, CodingKey, CaseIterable {
    case shell, timeout, retries, env
    case killGrace = "kill_grace"
    case retryDelay = "retry_delay"
    case retryBackoff = "retry_backoff"
    case workingDirectory = "working_directory"
  }

  /// As `defaults:`, where no other key is allowed.
  init(from decoder: Decoder) throws {
    try decoder.rejectUnknownKeys(besides: CodingKeys.self)
    try self.init(fieldsOf: decoder)
  }

  /// From a task's mapping, which holds other keys too.
  init(fieldsOf decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    shell = try c.decodeIfPresent(String.self, forKey: .shell)
    timeout = try c.decodeIfPresent(DurationSetting.self, forKey: .timeout)
    killGrace = try c.decodeIfPresent(DurationSetting.self, forKey: .killGrace)
    retries = try c.decodeIfPresent(Int.self, forKey: .retries)
    retryDelay = try c.decodeIfPresent(DurationSetting.self, forKey: .retryDelay)
    retryBackoff = try c.decodeIfPresent(Double.self, forKey: .retryBackoff)
    env = try c.decodeIfPresent([String: String].self, forKey: .env)
    workingDirectory = try c.decodeIfPresent(String.self, forKey: .workingDirectory)
  }
}

struct TaskDefinition: Decodable {
  var name: String
  var run: String?
  var argv: [String]?
  var dependsOn: [String]?
  var runIf: RunCondition?
  var source: String?
  var forEachSource: Bool?
  var when: ConditionDefinition?
  var executor: ExecutorName?
  var slurm: SlurmDefinition?
  var state: StateDefinition?
  var backpressure: BackpressureDefinition?
  var phases: [PhaseDefinition]?
  var settings: TaskSettings
  /// Where the task starts in the file, for messages about it.
  var line: Int?

  enum CodingKeys: String, CodingKey, CaseIterable {
    case name, run, argv, source, when, executor, slurm, state, backpressure, phases
    case dependsOn = "depends_on"
    case runIf = "run_if"
    case forEachSource = "for_each_source"
  }

  init(from decoder: Decoder) throws {
    try decoder.rejectUnknownKeys(besides: CodingKeys.self, TaskSettings.CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    line = decoder.mark?.line
    name = try c.decode(String.self, forKey: .name)
    run = try c.decodeIfPresent(String.self, forKey: .run)
    argv = try c.decodeIfPresent([String].self, forKey: .argv)
    dependsOn = try c.decodeIfPresent([String].self, forKey: .dependsOn)
    runIf = try c.decodeIfPresent(RunCondition.self, forKey: .runIf)
    source = try c.decodeIfPresent(String.self, forKey: .source)
    forEachSource = try c.decodeIfPresent(Bool.self, forKey: .forEachSource)
    when = try c.decodeIfPresent(ConditionDefinition.self, forKey: .when)
    executor = try c.decodeIfPresent(ExecutorName.self, forKey: .executor)
    slurm = try c.decodeIfPresent(SlurmDefinition.self, forKey: .slurm)
    state = try c.decodeIfPresent(StateDefinition.self, forKey: .state)
    backpressure = try c.decodeIfPresent(BackpressureDefinition.self, forKey: .backpressure)
    phases = try c.decodeIfPresent([PhaseDefinition].self, forKey: .phases)
    settings = try TaskSettings(fieldsOf: decoder)
  }
}

struct LogPolicyDefinition: Decodable {
  var compressAfter: DurationSetting?
  var deleteAfter: DurationSetting?
  var compression: LogCompression?

  enum CodingKeys: String, CodingKey, CaseIterable {
    case compression
    case compressAfter = "compress_after"
    case deleteAfter = "delete_after"
  }

  init(from decoder: Decoder) throws {
    try decoder.rejectUnknownKeys(besides: CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    compressAfter = try c.decodeIfPresent(DurationSetting.self, forKey: .compressAfter)
    deleteAfter = try c.decodeIfPresent(DurationSetting.self, forKey: .deleteAfter)
    compression = try c.decodeIfPresent(LogCompression.self, forKey: .compression)
  }
}

struct AnomalyDefinition: Decodable {
  var minRuns: Int?
  var runs: Int?
  var durationFactor: Double?
  var counterLow: Double?
  var counterHigh: Double?
  var totals: [String: TotalDefinition]?

  enum CodingKeys: String, CodingKey, CaseIterable {
    case runs, totals
    case minRuns = "min_runs"
    case durationFactor = "duration_factor"
    case counterLow = "counter_low"
    case counterHigh = "counter_high"
  }

  init(from decoder: Decoder) throws {
    try decoder.rejectUnknownKeys(besides: CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    minRuns = try c.decodeIfPresent(Int.self, forKey: .minRuns)
    runs = try c.decodeIfPresent(Int.self, forKey: .runs)
    durationFactor = try c.decodeIfPresent(Double.self, forKey: .durationFactor)
    counterLow = try c.decodeIfPresent(Double.self, forKey: .counterLow)
    counterHigh = try c.decodeIfPresent(Double.self, forKey: .counterHigh)
    totals = try c.decodeIfPresent([String: TotalDefinition].self, forKey: .totals)
  }
}

/// One entry of `anomalies.totals`: bounds for a counter's totals, each
/// `counter_low` / `counter_high` when left out.
struct TotalDefinition: Decodable {
  var low: Double?
  var high: Double?

  enum CodingKeys: String, CodingKey, CaseIterable {
    case low, high
  }

  init(from decoder: Decoder) throws {
    try decoder.rejectUnknownKeys(besides: CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    low = try c.decodeIfPresent(Double.self, forKey: .low)
    high = try c.decodeIfPresent(Double.self, forKey: .high)
  }
}

/// A duration field: a duration, or `never` where a limit can be switched off.
enum DurationSetting: Decodable, Equatable {
  case after(Duration)
  case never

  init(from decoder: Decoder) throws {
    let container = try decoder.singleValueContainer()
    // YAML hands every scalar over as text; JSON numbers come as numbers.
    let text: String
    let reading: Result<Duration, DurationText.Problem>
    if let scalar = try? container.decode(String.self) {
      text = scalar
      if ["never", "none"].contains(text.lowercased()) {
        self = .never
        return
      }
      reading = DurationText.read(text)
    } else {
      let seconds = try container.decode(Double.self)
      text =
        seconds == seconds.rounded() && abs(seconds) < 1e15 ? "\(Int64(seconds))" : "\(seconds)"
      reading = DurationText.duration(seconds: seconds)
    }
    switch reading {
    case .success(let duration):
      self = .after(duration)
    case .failure(.outOfRange):
      throw DecodingError.dataCorrupted(
        .init(
          codingPath: decoder.codingPath,
          debugDescription:
            "'\(text)' is out of range (at most \(DurationText.format(DurationText.maximum)), "
            + "a hundred years; never switches a limit off)"))
    case .failure(.notADuration):
      throw DecodingError.dataCorrupted(
        .init(
          codingPath: decoder.codingPath,
          debugDescription:
            "'\(text)' is not a duration (write e.g. 90s, 45m, 2h, 7d or a number of seconds)"))
    }
  }
}

/// When a task runs relative to the outcome of its dependencies.
public enum RunCondition: String, Decodable, Sendable, CaseIterable {
  /// Every dependency completed.
  case success
  /// Every dependency finished, whatever its outcome.
  case always

  public init(from decoder: Decoder) throws { self = try decoder.spelling(of: Self.self) }
}

public enum LogCompression: String, Codable, Sendable, CaseIterable {
  case gzip, zstd

  public init(from decoder: Decoder) throws { self = try decoder.spelling(of: Self.self) }
}
