import FoundationEssentials

/// A validated pipeline: defaults applied, names, dependencies and sources checked.
public struct Pipeline: Sendable, Equatable {
  public var name: String
  public var description: String?
  /// The cron expression as written; `cron` is what it means.
  public var schedule: String?
  public var cron: CronExpression?
  /// The IANA zone of the schedule; nil: the machine's local zone, as cron.
  public var timeZone: String?
  /// How late a run may start before it counts as missed; nil: derived.
  public var scheduleGrace: Duration?
  /// What the command line of a scheduled run gives (`schedule: {cron,
  /// environment, params}`); empty for a schedule written as the expression alone.
  public var scheduledRun = ScheduledRunArguments()
  /// The file it was read from, as given.
  public var file: String
  /// SHA-256 of the file's bytes, so a record says exactly which definition ran.
  public var sha256: String
  public var environment: [String: String]
  /// Relative to the root directory unless absolute; nil means the root itself.
  public var workingDirectory: String?
  public var maxParallel: Int
  /// Whole-run limit; nil means none.
  public var timeout: Duration?
  /// How long `run_if: always` tasks may still run once the run is ending
  /// early (run timeout, a first signal), all of them together.
  public var finallyTimeout: Duration
  public var sources: [String]
  public var logPolicy: LogPolicy
  public var stuckAfter: Duration?
  /// A run paused longer than this is a warning in status; nil: an hour.
  public var pausedAfter: Duration? = nil
  public var maxAge: Duration?
  public var anomalyThresholds: AnomalyThresholds
  /// Declared parameters, by name.
  public var parameters: [Parameter] = []
  public var environments: [String: PipelineEnvironment] = [:]
  public var defaultEnvironment: String?
  /// The logical date is the run's start minus this (`date_offset: 1d`: yesterday's data).
  public var dateOffset: Duration = .zero
  /// Run records older than this are deleted by rotation; nil: kept forever.
  public var metricsDeleteAfter: Duration? = nil
  /// Status warns when the window's success rate is below this.
  public var minSuccessRate: Double = Pipeline.defaultMinSuccessRate
  public var slurm = SlurmPipelineSettings()
  /// Who is told about runs, missed and stuck runs (`notify:`).
  public var notify: NotifySettings = .none
  /// `report.path` as written: relative to the root unless absolute; nil: no report.
  public var reportPath: String? = nil
  /// Who may read the run's files, and whether a tree others can write is accepted (`files:`).
  public var files = FileSettings()
  /// Stages of the items its tasks report, and their health rules (`items:`).
  public var items = ItemSettings()
  /// `items.keep_events`: rotation deletes the event segments of runs older
  /// than this (nil: never); kept apart from `items` because the snapshot
  /// records those settings and this one does not change what it holds.
  public var itemsKeepEvents: Duration? = Pipeline.defaultItemsKeepEvents
  public var tasks: [PipelineTask]

  /// A run that nobody bounded still ends: one day is longer than any nightly job.
  public static let defaultRunTimeout: Duration = .seconds(86400)
  public static let defaultItemsKeepEvents: Duration = .seconds(90 * 86400)
  public static let defaultFinallyTimeout: Duration = .seconds(300)
  public static let defaultMinSuccessRate = 0.8
}

public struct PipelineTask: Sendable, Equatable {
  public enum Command: Sendable, Equatable {
    /// `run:` text for a shell (`/bin/sh` unless the task names another).
    case shell(script: String, shell: String)
    /// `argv:`: executed directly, looked up in PATH when it has no slash.
    case argv([String])
  }

  /// Which sources a task belongs to.
  public enum SourceScope: Sendable, Equatable {
    case none
    case single(String)
    /// One instance per pipeline source, named `task[source]`.
    case eachSource
  }

  public var name: String
  public var command: Command
  public var dependsOn: [String]
  public var runIf: RunCondition
  public var sourceScope: SourceScope
  public var timeout: Duration?
  public var killGrace: Duration
  public var retries: Int
  public var retryDelay: Duration
  public var retryBackoff: Double
  public var environment: [String: String]
  public var workingDirectory: String?
  /// Runs only when this holds; otherwise skipped, and its dependents run as if it completed.
  public var when: TaskCondition?
  public var executor: TaskExecutorKind
  /// `state:`: a directory of its own that becomes the committed state only
  /// when the task completes (per source for a per-source task); nil: none.
  public var state: TaskStateSetting? = nil
  /// Left out of a run while the backlog before a stage is too long.
  public var backpressure: Backpressure? = nil
  /// The phases it declares (`phases:`), in order; empty: none declared.
  public var phases: [DeclaredPhase] = []
  /// Line of the task in its file, when known.
  public var line: Int?

  public static let defaultKillGrace: Duration = .seconds(10)
}

/// How long a pipeline's logs stay as they are, compressed, and at all.
public struct LogPolicy: Sendable, Equatable {
  public var compressAfter: Duration?
  /// nil: never delete.
  public var deleteAfter: Duration?
  public var compression: LogCompression

  public static let standard = LogPolicy(
    compressAfter: .seconds(7 * 86400), deleteAfter: .seconds(30 * 86400), compression: .gzip)

  public init(compressAfter: Duration?, deleteAfter: Duration?, compression: LogCompression) {
    self.compressAfter = compressAfter
    self.deleteAfter = deleteAfter
    self.compression = compression
  }
}
