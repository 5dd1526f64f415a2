import Foundation

/// One run of a plan from start to final record: directories, lock, the
/// record of any earlier run that died, the scheduler, signals, and then the
/// rotation of the pipeline's older logs.
public enum PipelineRun {
  public struct Options: Sendable {
    public var layout: RootLayout
    public var maxParallel: Int?
    public var trigger: RunRecord.Trigger
    /// The environment tasks inherit (the orchestrator's own, normally).
    public var environment: [String: String]

    public init(
      layout: RootLayout, maxParallel: Int? = nil, trigger: RunRecord.Trigger,
      environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
      self.layout = layout
      self.maxParallel = maxParallel
      self.trigger = trigger
      self.environment = environment
    }
  }

  public struct Outcome: Sendable {
    public var record: RunRecord
    /// Absolute path of the metrics file.
    public var metricsFile: String
    /// The signal that cancelled the run, to re-raise once output is done.
    public var signal: Int32?
    public var exitCode: Int32 { record.exitCode ?? 1 }
  }

  public enum Failure: Error, CustomStringConvertible {
    /// Nothing ran: the run could not be recorded (exit 2).
    case setup(String)
    /// Another run of the pipeline holds the lock (exit 75).
    case locked(String)

    public var description: String {
      switch self {
      case .setup(let message), .locked(let message): message
      }
    }

    public var exitCode: Int32 {
      switch self {
      case .setup: 2
      case .locked: 75
      }
    }
  }

  /// Runs `plan` and returns once every task has ended and the final record
  /// is written. `events` receives the orchestrator's log lines.
  public static func execute(_ plan: Plan, options: Options, events: EventLog) throws(Failure)
    -> Outcome
  {
    let pipeline = plan.pipeline
    let layout = options.layout
    let startedAt = Date()
    let run = RunID(startedAt: startedAt, pid: getpid())
    let metricsDirectory = layout.metricsDirectory(pipeline: pipeline.name)
    try createDirectory(metricsDirectory)
    let lock: RunLock
    do {
      lock = try RunLock(
        path: layout.lockFile(pipeline: pipeline.name), pipeline: pipeline.name,
        holder: "\(run.text) (pid \(run.pid), since \(Timestamp.format(startedAt)))")
    } catch {
      if case .held = error { throw .locked(error.description) }
      throw .setup(error.description)
    }
    defer { withExtendedLifetime(lock) {} }

    // Earlier runs from the status index: which may have been abandoned,
    // and the baselines for anomalies, without reading every record.
    let earlier = StatusIndex.load(directory: metricsDirectory, tasks: .newest(0))
    for abandoned in AbandonedRuns.mark(earlier.runs, in: metricsDirectory) {
      events.log("marked \(abandoned) abandoned: its orchestrator died before finishing it")
    }
    let history = BaselineHistory(
      runs: earlier.runs.suffix(pipeline.anomalyThresholds.historyRuns * 2).reversed(),
      index: earlier.index)

    let logDirectory = layout.runLogDirectory(pipeline: pipeline.name, run: run)
    try createDirectory(logDirectory)
    do {
      try events.attach(path: layout.orchestratorLog(pipeline: pipeline.name, run: run))
    } catch {
      throw .setup(error.description)
    }

    let record = initialRecord(
      plan, run: run, layout: layout, options: options, startedAt: startedAt)
    let metricsFile = layout.metricsFile(pipeline: pipeline.name, run: run)
    let scheduler = Scheduler(
      plan: plan, record: record, launcher: launcher(plan, run: run, options: options),
      events: events, metricsPath: metricsFile,
      maxParallel: options.maxParallel ?? pipeline.maxParallel, history: history.runs)
    guard scheduler.writeInitialRecord() else {
      throw .setup("cannot write the metrics file \(metricsFile); no task was started")
    }

    events.log(
      "run \(run.text) of \(pipeline.name) started: \(plan.steps.count) task(s), "
        + "max_parallel \(options.maxParallel ?? pipeline.maxParallel)")
    let trap = SignalTrap(queue: scheduler.queue) { [scheduler] signal in
      scheduler.cancel(reason: "received \(Scheduler.signalName(signal))", signal: signal)
    }
    let done = DispatchSemaphore(value: 0)
    let finalRecord = FinalRecord()
    scheduler.start { record in
      finalRecord.value = record
      done.signal()
    }
    done.wait()
    trap.cancel()
    let final = finalRecord.value!
    StatusIndex.add(finalRecord: final, at: metricsFile)
    events.log(
      "run \(run.text) \(final.status.rawValue): \(final.counts.completed) of "
        + "\(final.counts.total) task(s) completed")
    RunEndRotation.rotate(
      pipeline, layout: layout, run: run, cancelled: final.status == .cancelled, events: events)
    let signal = final.status == .cancelled ? final.exitCode.map { $0 - 128 } : nil
    return Outcome(record: final, metricsFile: metricsFile, signal: signal)
  }

  private final class FinalRecord: @unchecked Sendable {
    var value: RunRecord?
  }

  private static func createDirectory(_ path: String) throws(Failure) {
    if let problem = FileSystem.makeDirectories(path) {
      throw .setup("cannot create directory \(problem.path): \(problem.reason)")
    }
    guard access(path, W_OK) == 0 else {
      throw .setup("cannot write to directory \(path): \(String(cString: strerror(errno)))")
    }
  }

  private static func launcher(_ plan: Plan, run: RunID, options: Options) -> TaskLauncher {
    let pipeline = plan.pipeline
    var environment = options.environment
    for (key, value) in pipeline.environment { environment[key] = value }
    environment["ORCHESTRATE_RUN_ID"] = run.text
    environment["ORCHESTRATE_PIPELINE"] = pipeline.name
    environment["ORCHESTRATE_ROOT"] = options.layout.root
    // Each task sets its own; one inherited from an enclosing run must not leak in.
    for key in [
      "ORCHESTRATE_TASK", "ORCHESTRATE_ATTEMPT", "ORCHESTRATE_SOURCE", "ORCHESTRATE_PROGRESS",
      "ORCHESTRATE_METRICS",
    ] {
      environment[key] = nil
    }
    let directory = pipeline.workingDirectory.map {
      $0.hasPrefix("/") ? $0 : "\(options.layout.root)/\($0)"
    }
    return TaskLauncher(
      layout: options.layout, pipeline: pipeline.name, run: run,
      sharedEnvironment: SharedEnvironment(environment),
      searchPath: environment["PATH"] ?? "/usr/bin:/bin",
      workingDirectory: directory ?? options.layout.root)
  }

  static func initialRecord(
    _ plan: Plan, run: RunID, layout: RootLayout, options: Options, startedAt: Date
  ) -> RunRecord {
    let pipeline = plan.pipeline
    let identity = ProcessIdentity.current()
    let tasks = plan.steps.map { step in
      TaskRecord(
        name: step.name, task: step.task.name, source: step.source,
        dependsOn: step.dependencies.map { plan.steps[$0].name },
        logFile: layout.taskLogPath(pipeline: pipeline.name, run: run, task: step.name))
    }
    return RunRecord(
      schemaVersion: RunRecord.currentSchemaVersion,
      runId: run.text,
      pipeline: pipeline.name,
      pipelineFile: URL(fileURLWithPath: pipeline.file).standardizedFileURL.path,
      pipelineSha256: pipeline.sha256,
      status: .running,
      startedAt: startedAt,
      updatedAt: startedAt,
      host: identity.host,
      pid: identity.pid,
      processStartTicks: identity.startTicks,
      bootId: identity.bootId,
      user: userName(options.environment),
      trigger: options.trigger,
      sourceFilter: plan.sourceFilter,
      orchestrateVersion: OrchestrateVersion.current,
      maxParallel: options.maxParallel ?? pipeline.maxParallel,
      schedule: pipeline.schedule,
      timeoutSeconds: pipeline.timeout?.seconds,
      stuckAfterSeconds: pipeline.stuckAfter?.seconds,
      maxAgeSeconds: pipeline.maxAge?.seconds,
      counts: TaskCounts(tasks),
      tasks: tasks)
  }

  private static func userName(_ environment: [String: String]) -> String {
    if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name {
      return String(cString: name)
    }
    return environment["USER"] ?? String(geteuid())
  }
}
