import FoundationEssentials

/// What `orchestrate runs --json` prints and `/api/runs` answers: the runs a
/// filter selects, newest first. Keys are snake_case; the shape is
/// docs/runs.schema.json.
public struct RunList: Codable, Sendable {
  public var generatedAt: Date
  public var root: String
  /// The filter's moments as they were resolved (`14d` is a moment too).
  public var since: Date?
  public var until: Date?
  /// nil: no limit.
  public var limit: Int?
  /// How many runs matched; more than `runs` holds when the limit cut it.
  public var matching: Int
  public var runs: [Entry]
  /// Files in the pipelines' metrics directories that are not readable run records.
  public var unreadableFiles: [StatusIndex.Unreadable]

  public struct Entry: Codable, Sendable, Equatable {
    public var runId: String
    public var pipeline: String
    public var environment: String?
    /// As status judges it: a record that says `running` whose orchestrator
    /// is gone is `abandoned`.
    public var status: RunStatus
    public var startedAt: Date
    public var durationSeconds: Double?
    public var tasksTotal: Int
    public var tasksFailed: Int
    public var trigger: RunTrigger
    public var rerunOf: String?

    init(_ run: RunDigest, pipeline: String, status: RunStatus) {
      runId = run.runId
      self.pipeline = pipeline
      environment = run.environment
      self.status = status
      startedAt = Date(timeIntervalSince1970: run.startedAt)
      durationSeconds = run.durationSeconds
      tasksTotal = run.tasksTotal
      tasksFailed = run.tasksFailed
      trigger = RunTrigger(run)
      rerunOf = run.rerunOf
    }
  }
}
