import FoundationEssentials

/// Everything one run did: written when the run starts, rewritten as tasks
/// change, final when the run ends. `metrics/<pipeline>/<run_id>.json`.
/// Keys are snake_case in the file (see `RecordCoding`).
public struct RunRecord: Codable, Sendable, Equatable {
  public static let currentSchemaVersion = 2

  public var schemaVersion: Int
  public var runId: String
  public var pipeline: String
  public var pipelineFile: String
  public var pipelineSha256: String
  public var status: RunStatus
  /// Why the run ended early (cancelled, timed out, abandoned), if it did.
  public var reason: String?
  public var exitCode: Int32?
  public var startedAt: Date
  public var finishedAt: Date?
  public var durationSeconds: Double?
  /// When this file was last written; a live run rewrites it as tasks change.
  public var updatedAt: Date
  public var host: String
  public var pid: Int32
  /// Kernel start time of `pid` (clock ticks since boot) and the boot id, to
  /// tell a live orchestrator from a later process that reused its pid.
  public var processStartTicks: UInt64?
  public var bootId: String?
  public var user: String
  public var trigger: Trigger
  public var sourceFilter: [String]
  public var orchestrateVersion: String
  public var maxParallel: Int
  /// The pipeline's own settings that judge this run later, copied so that
  /// status needs nothing but the metrics directory.
  public var schedule: String?
  /// The IANA zone the schedule is read in; absent: the machine's own.
  public var timezone: String? = nil
  /// How late a scheduled run may start before status calls it missed.
  public var scheduleGraceSeconds: Double? = nil
  public var timeoutSeconds: Double?
  public var stuckAfterSeconds: Double?
  /// The pipeline's `paused_after`, when it sets one: a run paused longer
  /// is a warning in status (else after an hour).
  public var pausedAfterSeconds: Double? = nil
  public var maxAgeSeconds: Double?
  /// The pipeline's `health.min_success_rate`, when it sets one.
  public var minSuccessRate: Double? = nil
  public var orchestratorPeakRssBytes: Int?
  /// CPU time of the orchestrator itself (user + system), tasks excluded.
  public var orchestratorCpuSeconds: Double?
  /// Processes of the run's tasks that had left their task's process group
  /// (`setsid`, a double fork) and were still running when every task had
  /// ended: stopped like any task's leftovers.
  public var escapedProcesses: Int?
  /// Since when the run has been paused (`orchestrate pause`, SIGTSTP):
  /// present only while it is paused.
  public var pausedSince: Date? = nil
  /// Seconds the run spent paused in pauses that have ended; absent when
  /// it never paused. Durations include this time; timeouts do not.
  public var pausedSeconds: Double? = nil
  /// The environment the run was started in (`--environment`).
  public var environment: String?
  /// Parameter values; secrets as `***`.
  public var params: [String: String]?
  /// Parameters declared secret and variables read from an env_file: their
  /// values are never written anywhere.
  public var secretNames: [String]?
  /// The date the run is for (YYYY-MM-DD), `ORCHESTRATE_DATE`.
  public var logicalDate: String?
  /// The schedule's due time the run serves, `ORCHESTRATE_DUE_AT`.
  public var dueAt: Date?
  /// Problems that did not stop the run (an env_file others can read).
  public var warnings: [String]?
  /// The run this one reran (`orchestrate rerun`): what completed there was
  /// taken over, not run again.
  public var rerunOf: String?
  /// The pipeline file's hash when the original run ran (it may have changed since).
  public var originalPipelineSha256: String?
  /// The `--task` selection of a run of part of a pipeline.
  public var taskFilter: [String]?
  /// Durations and counters far outside the tasks' own history.
  public var anomalies: [Anomaly]?
  /// The tasks' counters summed over each task's instances (its sources),
  /// by task and counter; see `CounterTotal.totals(of:)`.
  public var totals: CounterTotals? = nil
  /// What became of the messages the run sent (`notify:`), written last.
  public var notifications: [NotificationRecord]? = nil
  public var counts: TaskCounts
  public var tasks: [TaskRecord]

  public enum Trigger: String, Codable, Sendable {
    case manual, scheduled
  }
}

public enum RunStatus: String, Codable, Sendable, CaseIterable {
  case running
  /// Every task completed.
  case completed
  /// Some tasks completed, some did not.
  case partial
  /// No task completed.
  case failed
  /// Stopped by a signal.
  case cancelled
  /// The orchestrator died without finishing the record (found by a later run or `status`).
  case abandoned
  /// Refused before any task started, for a reason in the pipeline file or
  /// on the machine (a program not on PATH, a broken file): nothing ran.
  case refused

  /// How a finished run went, from how its tasks ended.
  public init(counts: TaskCounts, cancelledBySignal: Bool) {
    // Tasks `when:` left out were not wanted: nothing is missing for them,
    // but they are not a task that completed either.
    self =
      if cancelledBySignal {
        .cancelled
      } else if counts.completed + counts.notWanted == counts.total {
        .completed
      } else if counts.completed == 0 {
        .failed
      } else {
        .partial
      }
  }
}

public enum TaskStatus: String, Codable, Sendable, CaseIterable {
  case pending, running, completed, failed
  case timedOut = "timed_out"
  /// Not run because a task it depends on did not complete, or the run ended.
  case skipped
  case cancelled
  /// Left out by its `when:`: the run did not want it, so it counts as done,
  /// and never as "not completed".
  case notWanted = "not_wanted"

  public var isFinished: Bool { self != .pending && self != .running }
  /// Completed, or not wanted: nothing is missing.
  public var isDone: Bool { self == .completed || self == .notWanted }
}

public struct TaskCounts: Codable, Sendable, Equatable {
  public var pending = 0
  public var running = 0
  public var completed = 0
  public var failed = 0
  public var timedOut = 0
  public var skipped = 0
  public var cancelled = 0
  public var notWanted = 0

  public init() {}

  public init(_ tasks: [TaskRecord]) {
    for task in tasks { self[task.status] += 1 }
  }

  public subscript(status: TaskStatus) -> Int {
    get {
      switch status {
      case .pending: pending
      case .running: running
      case .completed: completed
      case .failed: failed
      case .timedOut: timedOut
      case .skipped: skipped
      case .cancelled: cancelled
      case .notWanted: notWanted
      }
    }
    set {
      switch status {
      case .pending: pending = newValue
      case .running: running = newValue
      case .completed: completed = newValue
      case .failed: failed = newValue
      case .timedOut: timedOut = newValue
      case .skipped: skipped = newValue
      case .cancelled: cancelled = newValue
      case .notWanted: notWanted = newValue
      }
    }
  }

  enum CodingKeys: String, CodingKey {
    case pending, running, completed, failed, timedOut, skipped, cancelled, notWanted
  }

  // `not_wanted` is written only when some task was not wanted: records
  // from before it, and runs without `when:`, read and write as they did.
  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    pending = try c.decode(Int.self, forKey: .pending)
    running = try c.decode(Int.self, forKey: .running)
    completed = try c.decode(Int.self, forKey: .completed)
    failed = try c.decode(Int.self, forKey: .failed)
    timedOut = try c.decode(Int.self, forKey: .timedOut)
    skipped = try c.decode(Int.self, forKey: .skipped)
    cancelled = try c.decode(Int.self, forKey: .cancelled)
    notWanted = try c.decodeIfPresent(Int.self, forKey: .notWanted) ?? 0
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(pending, forKey: .pending)
    try c.encode(running, forKey: .running)
    try c.encode(completed, forKey: .completed)
    try c.encode(failed, forKey: .failed)
    try c.encode(timedOut, forKey: .timedOut)
    try c.encode(skipped, forKey: .skipped)
    try c.encode(cancelled, forKey: .cancelled)
    if notWanted > 0 { try c.encode(notWanted, forKey: .notWanted) }
  }

  public var total: Int { TaskStatus.allCases.reduce(0) { $0 + self[$1] } }
  /// The tasks the run wanted: all but those `when:` left out.
  public var wanted: Int { total - notWanted }
}

public struct TaskRecord: Codable, Sendable, Equatable {
  /// `extract[geo]` for a per-source instance.
  public var name: String
  /// The task's name in the pipeline file (`extract`).
  public var task: String
  public var source: String?
  public var dependsOn: [String]
  public var status: TaskStatus
  /// Why it was skipped or cancelled, or how it failed, in a few words.
  public var reason: String?
  public var exitCode: Int32?
  /// Signal number that ended the last attempt, if one did.
  public var signal: Int32?
  public var attempts: [AttemptRecord]
  public var startedAt: Date?
  public var finishedAt: Date?
  public var durationSeconds: Double?
  /// The last attempt's log, relative to the root directory.
  public var logFile: String
  /// The end of the task's output when it did not complete.
  public var error: String?
  /// Largest over attempts (the kernel's high-water mark, see docs/run-record.md).
  public var peakRssBytes: Int?
  public var cpuUserSeconds: Double?
  public var cpuSystemSeconds: Double?
  /// Storage bytes read and written, summed over attempts.
  public var readBytes: Int? = nil
  public var writeBytes: Int? = nil
  /// Processes still in the task's process group after it exited, then stopped.
  public var leftoverProcesses: Int?
  /// What the task last reported through `$ORCHESTRATE_PROGRESS`.
  public var progress: TaskProgress?
  /// Its phases in order, as reported through `$ORCHESTRATE_PROGRESS`.
  public var phases: [PhaseRecord]?
  /// Its counters, as reported through `$ORCHESTRATE_METRICS`.
  public var metrics: [String: Double]?
  /// Report lines that were not a JSON object of the expected shape.
  public var malformedReportLines: Int?
  /// The run whose completed outcome this task took over instead of running
  /// (a rerun); its timings, resources and logs are that run's.
  public var reusedFrom: String?
  /// A task with `state:`: the state version it started from and the one it committed.
  public var state: TaskStateRecord?

  public init(name: String, task: String, source: String?, dependsOn: [String], logFile: String) {
    self.name = name
    self.task = task
    self.source = source
    self.dependsOn = dependsOn
    self.status = .pending
    self.attempts = []
    self.logFile = logFile
  }
}

public struct AttemptRecord: Codable, Sendable, Equatable {
  public var number: Int
  public var pid: Int32?
  /// Kernel start time of `pid`, so a later run can tell this attempt's
  /// process group from an unrelated one that reused the number.
  public var processStartTicks: UInt64?
  public var startedAt: Date
  public var finishedAt: Date?
  public var durationSeconds: Double?
  public var exitCode: Int32?
  public var signal: Int32?
  public var timedOut: Bool
  /// Set when the process could not be started at all.
  public var error: String?
  /// What this attempt wrote, byte for byte, relative to the root directory:
  /// `<task>.log` for the first, `<task>.attempt-N.log` for the others.
  public var logFile: String?
  public var peakRssBytes: Int?
  public var cpuUserSeconds: Double?
  public var cpuSystemSeconds: Double?
  /// Storage bytes the attempt read and wrote (see docs/run-record.md for
  /// what is exact and what sampled).
  public var readBytes: Int? = nil
  public var writeBytes: Int? = nil
  /// The latest sample of its process group while it runs on this machine.
  public var liveResources: LiveResources? = nil
  /// Attempts that went to a queue (`executor`: `slurm`, `command`): the
  /// job, the node it ran on, how long it waited in the queue (submission
  /// to start, absent while it waits) and its last state in the queue's
  /// own words (Slurm's `PENDING`, `COMPLETED`, …).
  public var executor: String?
  public var jobId: String?
  public var node: String?
  public var queuedSeconds: Double?
  public var jobState: String?

  public init(number: Int, startedAt: Date) {
    self.number = number
    self.startedAt = startedAt
    self.timedOut = false
  }
}

extension AttemptRecord {
  /// Submitted to a queue, not started yet: the queue wait is set when it starts.
  public var isWaitingInQueue: Bool { jobId != nil && queuedSeconds == nil && finishedAt == nil }

  /// What every queue executor records of a submission.
  package mutating func noteSubmitted(to executor: String, job: String, state: String) {
    self.executor = executor
    jobId = job
    jobState = state
  }
}
