import FoundationEssentials

/// What `orchestrate status` knows, as one value: rendered as a table, as
/// JSON (`--json`, keys snake_case), as a health check and as Prometheus
/// metrics. The JSON shape is documented in docs/status.schema.json.
public struct StatusReport: Codable, Sendable {
  public var generatedAt: Date
  public var root: String
  public var windowDays: Int
  public var health: Health
  public var pipelines: [PipelineStatus]
  /// Files in `metrics/` that are not readable run records.
  public var unreadableFiles: [StatusIndex.Unreadable]
}

/// Nagios plugin levels, in the order a summary takes the worst of them.
public enum HealthLevel: String, Codable, Sendable, Comparable {
  case ok, unknown, warning, critical

  /// The plugin convention's exit codes.
  public var exitCode: Int32 {
    switch self {
    case .ok: 0
    case .warning: 1
    case .critical: 2
    case .unknown: 3
    }
  }

  private var rank: Int {
    switch self {
    case .ok: 0
    case .unknown: 1
    case .warning: 2
    case .critical: 3
    }
  }

  public static func < (lhs: HealthLevel, rhs: HealthLevel) -> Bool { lhs.rank < rhs.rank }
}

public struct Health: Codable, Sendable, Equatable {
  public var level: HealthLevel
  public var problems: [Problem]

  public struct Problem: Codable, Sendable, Equatable {
    public var level: HealthLevel
    public var message: String
  }

  public init(problems: [Problem], otherwise level: HealthLevel = .ok) {
    self.problems = problems
    self.level = problems.map(\.level).max() ?? level
  }
}

public struct PipelineStatus: Codable, Sendable {
  public var name: String
  /// Each environment a pipeline ran in is judged on its own: a dev run
  /// never changes prod's health. Nil: runs without an environment.
  public var environment: String? = nil
  public var schedule: String?
  /// The schedule's zone, when the pipeline names one.
  public var timezone: String?
  public var nextDue: Date?
  /// The newest due time past its grace with no run started since.
  public var missed: ScheduleExpectation.MissedRun?
  /// The oldest a last successful run may be (the pipeline's `max_age`, or
  /// derived from its schedule); nil for an environment only run by hand
  /// beside one that is scheduled: nothing is owed there.
  public var maxAgeSeconds: Double?
  /// When a run counts as stuck (the pipeline's `stuck_after`, or derived
  /// from its history).
  public var stuckAfterSeconds: Double
  /// A run paused longer than this is a WARNING (the pipeline's
  /// `paused_after`, else an hour).
  public var pausedAfterSeconds: Double = PipelineAssessment.defaultPausedAfter
  /// Below this success rate in the window (with enough finished runs) it is a WARNING.
  public var minSuccessRate: Double
  public var health: Health
  public var totalRuns: Int
  public var lastRun: LastRun?
  public var window: Window
  public var lastSuccess: RunMoment?
  /// Set when the newest finished runs all failed: the oldest of them.
  public var failingSince: FailingStreak?
  public var running: [RunningRun]
  public var abandoned: [AbandonedRun]
  public var tasks: [TaskStatistics]
  /// What its tasks' items say (docs/items.md), when it has an item ledger.
  public var items: ItemsHealth? = nil

  /// `ingest`, or `ingest (prod)`: how messages and tables name it.
  public var label: String { environment.map { "\(name) (\($0))" } ?? name }

  public struct LastRun: Codable, Sendable {
    public var runId: String
    public var status: RunStatus
    public var startedAt: Date
    public var durationSeconds: Double?
    public var tasksTotal: Int
    /// Why the run ended early or was refused, as its record says.
    public var reason: String?
    public var notCompleted: [TaskOutcome]
    public var anomalies: [Anomaly]
    /// The run it reran, when it was a rerun.
    public var rerunOf: String?
  }

  public struct TaskOutcome: Codable, Sendable {
    public var name: String
    public var status: TaskStatus
    public var reason: String?
    /// The declared or reported phase it failed in, if it failed in one.
    public var failedPhase: String? = nil
  }

  public struct Window: Codable, Sendable {
    public var days: Int
    public var runs: Int
    public var finished: Int
    public var completed: Int
    /// Completed runs over finished runs.
    public var successRate: Double?
    /// Durations of the completed runs in the window.
    public var durationP50Seconds: Double?
    public var durationP95Seconds: Double?
  }

  public struct RunMoment: Codable, Sendable {
    public var runId: String
    public var startedAt: Date
    public var ageSeconds: Double
  }

  public struct FailingStreak: Codable, Sendable {
    public var runId: String
    public var startedAt: Date
    public var runs: Int
  }

  public struct RunningRun: Codable, Sendable {
    public var runId: String
    public var startedAt: Date
    public var elapsedSeconds: Double
    public var host: String
    public var pid: Int32
    /// Never set for a paused run: it is paused, not stuck.
    public var stuck: Bool
    /// Since when it is paused, while it is.
    public var pausedSince: Date? = nil
    /// Time spent paused so far, the current pause included; absent when it never paused.
    public var pausedSeconds: Double? = nil
    public var tasksTotal: Int
    public var tasksFinished: Int
    /// Time left until its last task ends, along the critical path of
    /// what remains (running tasks' ETAs, pending ones' usual durations).
    public var etaSeconds: Double? = nil
    /// Share of its work done, 0...1, each task weighing its usual duration.
    public var workDone: Double? = nil
    public var tasks: [RunningTask]
  }

  public struct RunningTask: Codable, Sendable {
    public var name: String
    public var elapsedSeconds: Double
    public var progress: TaskProgress?
    /// Time left, from its phases, its rate and their history (see `TaskETA`).
    public var etaSeconds: Double?
    /// The phase it is in, 1-based, of how many it has (declared or reported).
    public var phaseNumber: Int? = nil
    public var phaseCount: Int? = nil
    public var stuckAfterSeconds: Double
    public var stuck: Bool
    /// Waiting in a queue (submitted, not started): `elapsed_seconds` is its wait.
    public var queued: Bool = false
    /// Its process group's latest sample, as the live record holds it (local tasks only).
    public var resources: LiveResources? = nil
  }

  public struct AbandonedRun: Codable, Sendable {
    public var runId: String
    public var startedAt: Date
    public var updatedAt: Date
    public var host: String
    public var pid: Int32
    public var reason: String
  }

  public struct TaskStatistics: Codable, Sendable {
    public var name: String
    /// Finished instances in the window.
    public var runs: Int
    /// Of those, failed or timed out.
    public var failures: Int
    /// Of those, how many needed more than one attempt.
    public var retried: Int
    public var lastStatus: TaskStatus?
    public var p50Seconds: Double?
    public var p95Seconds: Double?
    public var maxSeconds: Double?
    /// In the last finished run.
    public var lastSeconds: Double?
    /// The last duration is at least twice its usual (see docs/status.md).
    public var slow: Bool
    public var peakRssP95Bytes: Double?
  }
}
