import FoundationEssentials

/// Reads what the pages show from a root's metrics directory, through the
/// status index and the status rules, so a page and `orchestrate status`
/// never disagree and 20,000 runs stay fast. Nothing here writes a record.
public struct ReportSource: Sendable {
  /// Runs drawn in a pipeline's history chart.
  public static let chartRuns = 120
  /// Runs in the task × run grid, decoded in full (reasons, resources).
  public static let gridRuns = 30
  /// Runs in a sparkline.
  public static let sparkRuns = 30

  public let layout: RootLayout
  public let windowDays: Int
  public let now: Date
  /// Only this environment's runs are judged (`report -e prod`).
  public let environment: String?

  /// One index load per pipeline for all of this source's pages.
  let loads: SharedIndexLoads

  public init(
    layout: RootLayout, windowDays: Int, now: Date = Date(), environment: String? = nil
  ) {
    self.layout = layout
    self.windowDays = windowDays
    self.now = now
    self.environment = environment
    loads = SharedIndexLoads(
      widest: Self.taskSelection(now: now, windowDays: windowDays), now: now)
  }

  /// Whose task digests the pages of a moment read: the status judgement's
  /// and a pipeline page's. An index load that covers this at an earlier
  /// moment covers it now too (the window only moves forward).
  static func taskSelection(now: Date, windowDays: Int) -> IndexFile.TaskSelection {
    let judged = StatusCollector.taskSelection(now: now, windowDays: windowDays)
    guard case .newest(let count, let since) = judged else { preconditionFailure() }
    return .newest(max(count, Self.detailRuns), since: since)
  }

  /// Takes the index of a pipeline whose lock this process holds instead
  /// of loading it again; loaded at the run's start, it covers
  /// `taskSelection` of that moment.
  func reuse(_ held: HeldIndex) {
    loads.reuse(held.atEnd(), directory: held.directory)
  }

  /// Runs whose task digests a pipeline page shows (trends, counters).
  static let detailRuns = max(sparkRuns, gridRuns) * 2

  /// Every pipeline's status (problems first on the page) and its newest runs.
  public func overview(pipelines names: [String]? = nil) -> Overview {
    var report = StatusCollector.collect(
      layout: layout, windowDays: windowDays, now: now, environment: environment, loads: loads)
    if let names { report.pipelines.removeAll { !names.contains($0.name) } }
    var recent: [String: [RunDigest]] = [:]
    for pipeline in report.pipelines {
      recent[pipeline.label] =
        newest(
          Self.sparkRuns, of: pipeline.name, taskRuns: 0, environment: .some(pipeline.environment)
        ).runs
    }
    return Overview(report: report, recent: recent)
  }

  /// One pipeline's history in one environment (nil: its runs without
  /// one), or nil when it has no metrics directory or no such runs.
  /// `status` saves judging it again when the overview already did.
  public func pipeline(_ name: String, environment: String?, status known: PipelineStatus? = nil)
    -> PipelineHistory?
  {
    guard RootEntryName.isSafe(name),
      layout.pipelinesWithRecords().contains(name)
    else { return nil }
    var unreadable: [StatusIndex.Unreadable] = []
    var judged = known
    if judged == nil {
      let report = StatusCollector.collect(
        layout: layout, pipeline: name, windowDays: windowDays, now: now,
        environment: environment ?? self.environment, loads: loads)
      judged = report.pipelines.first { $0.environment == environment }
      unreadable = report.unreadableFiles
    }
    guard let status = judged else { return nil }
    let (runs, total) = newest(
      max(Self.chartRuns, 2 * Self.sparkRuns, Self.gridRuns), of: name,
      taskRuns: Self.detailRuns, environment: .some(environment))
    let directory = layout.metricsDirectory(pipeline: name)
    let records = RecordBatch.read(runs.suffix(Self.gridRuns).map { "\(directory)/\($0.file)" })
      .compactMap { $0.map(settled) }
    let abandoned = Set(status.abandoned.map(\.runId))
    let chart = runs.suffix(Self.chartRuns).map { digest -> RunDigest in
      var digest = digest
      if abandoned.contains(digest.runId) { digest.status = .abandoned }
      return digest
    }
    var history = PipelineHistory(
      status: status, runs: chart, detailed: Array(runs.suffix(2 * Self.sparkRuns)),
      records: records, totalRuns: total, unreadable: unreadable)
    history.items = ItemsSection.collect(pipeline: name, layout: layout, now: now)
    return history
  }

  /// One run, found by its id under any pipeline's metrics directory.
  public func run(_ runId: String) -> RunView? {
    guard RunID(runId) != nil else { return nil }
    for name in layout.pipelinesWithRecords() {
      let path = "\(layout.metricsDirectory(pipeline: name))/\(runId).json"
      guard FileManager.default.fileExists(atPath: path) else { continue }
      guard let record = readRecord(at: path) else {
        return RunView(pipeline: name, runId: runId, record: nil, running: nil)
      }
      let settledRecord = settled(record)
      var running: PipelineStatus.RunningRun?
      if settledRecord.status == .running {
        running =
          StatusCollector.collect(
            layout: layout, pipeline: name, windowDays: windowDays, now: now, loads: loads
          )
          .pipelines.first?.running.first { $0.runId == runId }
      }
      return RunView(pipeline: name, runId: runId, record: settledRecord, running: running)
    }
    return nil
  }

  /// A record that says `running` but whose orchestrator is gone, as its
  /// journal tells it (the same account `status` gives).
  func settled(_ record: RunRecord) -> RunRecord {
    guard record.status == .running, ProcessIdentity(of: record).liveness() == .gone else {
      return record
    }
    return AbandonedRuns.reconstruct(record, layout: layout)
  }

  /// A pipeline's newest runs, oldest first, with the task digests of the
  /// newest `taskRuns`, and how many runs it has; of one environment only,
  /// when `environment` names one (`.some(nil)`: the runs without one).
  func newest(_ count: Int, of pipeline: String, taskRuns: Int, environment: String?? = .none)
    -> (runs: [RunDigest], total: Int)
  {
    loads.newest(
      count, directory: layout.metricsDirectory(pipeline: pipeline), tasks: .newest(taskRuns),
      environment: environment)
  }

  func readRecord(at path: String) -> RunRecord? {
    RecordCoding.readRecord(at: path)
  }
}

/// What the overview shows.
public struct Overview: Sendable {
  public var report: StatusReport
  /// The newest runs of each pipeline and environment, by its label
  /// ("nightly (prod)"), oldest first: its sparkline.
  public var recent: [String: [RunDigest]]
}

/// What a pipeline page shows.
public struct PipelineHistory: Sendable {
  public var status: PipelineStatus
  /// The newest runs for the history chart, oldest first.
  public var runs: [RunDigest]
  /// The newest runs with their task digests, oldest first: task trends, counters.
  public var detailed: [RunDigest]
  /// The newest runs in full, oldest first: the task × run grid.
  public var records: [RunRecord]
  public var totalRuns: Int
  public var unreadable: [StatusIndex.Unreadable]
  /// The pipeline's item ledger as `orchestrate items` shows it; nil when
  /// no task ever reported an item.
  public var items: ItemsReport? = nil

  public init(
    status: PipelineStatus, runs: [RunDigest], detailed: [RunDigest], records: [RunRecord],
    totalRuns: Int, unreadable: [StatusIndex.Unreadable] = []
  ) {
    self.status = status
    self.runs = runs
    self.detailed = detailed
    self.records = records
    self.totalRuns = totalRuns
    self.unreadable = unreadable
  }
}

/// What a run page shows: the record, or why there is none.
public struct RunView: Sendable {
  public var pipeline: String
  public var runId: String
  /// Nil when the file is not a readable run record.
  public var record: RunRecord?
  /// For a run in progress: its tasks' elapsed time, ETA and stuck marks.
  public var running: PipelineStatus.RunningRun?

  public init(
    pipeline: String, runId: String, record: RunRecord?, running: PipelineStatus.RunningRun? = nil
  ) {
    self.pipeline = pipeline
    self.runId = runId
    self.record = record
    self.running = running
  }
}

/// Names taken from a request or the command line before they become paths.
public enum RootEntryName {
  /// A single path component: no separator, not `.` or `..`, not hidden.
  public static func isSafe(_ name: String) -> Bool {
    !name.isEmpty && !name.hasPrefix(".") && !name.contains("/") && !name.contains("\0")
      && name.utf8.count <= 255
  }
}

extension ReportSource {
  /// A pipeline's newest runs, newest first, as the run list API gives
  /// them; nil for an unknown pipeline.
  public func runs(pipeline name: String, limit: Int) -> [RunDigest]? {
    guard RootEntryName.isSafe(name),
      layout.pipelinesWithRecords().contains(name)
    else { return nil }
    return Array(newest(limit, of: name, taskRuns: limit).runs.reversed())
  }
}
