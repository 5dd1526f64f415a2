import Dispatch
import FoundationEssentials
import Glibc

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
    /// `--report DIR`: the report to update at the end (else the pipeline's `report.path`).
    public var reportDirectory: String?
    /// What updates the report; without it, a run updates none.
    package var report: (any RunEndReporting)?
    /// Where tasks that do not go to a cluster run; process groups on this
    /// machine when nil. Lets a whole run be driven without a process.
    var executor: (any Executor)?

    package init(
      layout: RootLayout, maxParallel: Int? = nil, trigger: RunRecord.Trigger,
      environment: [String: String] = ProcessInfo.processInfo.environment,
      reportDirectory: String? = nil, report: (any RunEndReporting)? = nil
    ) {
      self.layout = layout
      self.maxParallel = maxParallel
      self.trigger = trigger
      self.environment = environment
      self.reportDirectory = reportDirectory
      self.report = report
    }
  }

  public struct Outcome: Sendable {
    public var record: RunRecord
    /// Absolute path of the metrics file.
    public var metricsFile: String
    /// The signal that cancelled the run, to re-raise once output is done.
    public var signal: Int32?
    /// Why the final record could not be written, if it could not: the
    /// file still holds an earlier state, which the next run settles from
    /// the journal.
    public var recordError: String?
    public var exitCode: Int32 {
      recordError == nil ? record.exitCode ?? 1 : PipelineRun.recordNotWrittenExitCode
    }
  }

  /// The run ended but its final record could not be written (EX_IOERR).
  public static let recordNotWrittenExitCode: Int32 = 74

  public enum Failure: Error, CustomStringConvertible {
    /// Nothing ran: the run could not be recorded (exit 2).
    case setup(String)
    /// Another run of the pipeline holds the lock (exit 75).
    case locked(String)
    /// A signal arrived before the run took its lock: nothing was written.
    case interrupted(Int32)

    public var description: String {
      switch self {
      case .setup(let message), .locked(let message): message
      case .interrupted(let signal):
        "received \(SignalName.of(signal)) before the run started; nothing was run"
      }
    }

    public var exitCode: Int32 {
      switch self {
      case .setup: 2
      case .locked: 75
      case .interrupted(let signal): 128 + signal
      }
    }
  }

  /// Runs `plan` and returns once every task has ended and the final record
  /// is written. `events` receives the orchestrator's log lines.
  ///
  /// Signals: one that arrives before the lock is taken ends the run with
  /// nothing written (`.interrupted`); from the lock on, every signal is
  /// held until the scheduler can take it, so the run ends `cancelled` with
  /// a record, even when no task had started.
  public static func execute(_ plan: Plan, options: Options, events: EventLog) throws(Failure)
    -> Outcome
  {
    SignalTrap.holdSignals()
    JobControlSignals.hold()
    if let signal = SignalTrap.firstReceived { throw .interrupted(signal) }
    let pipeline = plan.pipeline
    let layout = options.layout
    let startedAt = Date()
    let run = RunID(startedAt: startedAt, pid: getpid())
    try createDirectories(of: pipeline, layout: layout, events: events)
    let lock = try takeLock(of: pipeline, layout: layout, run: run, since: startedAt)
    defer { withExtendedLifetime(lock) {} }
    let metricsDirectory = layout.metricsDirectory(pipeline: pipeline.name)
    LastGoodPipeline.keep(pipeline, in: metricsDirectory)

    // Earlier runs from the status index: which may have been abandoned,
    // and the baselines for anomalies, without reading every record.
    StaleTemporaryFiles.remove(in: metricsDirectory)
    let report = options.report.flatMap { report in
      Self.reportDirectory(option: options.reportDirectory, pipeline: pipeline, layout: layout)
        .map { (updater: report, directory: $0) }
    }
    // The report at the end reads this load again, with the task digests its pages show.
    let earlier = StatusIndex.load(
      directory: metricsDirectory,
      tasks: report?.updater.taskSelection(start: startedAt) ?? .newest(0))
    settleAbandoned(earlier.runs, of: pipeline, layout: layout, events: events)
    // After the dead runs' processes are stopped: none still writes a copy.
    TaskStates.recover(plan, layout: layout, events: events)
    let history = BaselineHistory(
      runs: earlier.runs.suffix(pipeline.anomalyThresholds.historyRuns * 2).reversed(),
      index: earlier.index, directory: metricsDirectory)

    let started = try StartedRun.begin(
      initialRecord(plan, run: run, layout: layout, options: options, startedAt: startedAt),
      of: plan, run: run, layout: layout, events: events)
    let notifier = RunNotifier(
      plan: plan, environment: options.environment, layout: layout, events: events)
    let ended = schedule(
      plan, started: started, options: options, history: history.runs,
      taskHistories: history.taskHistories, notifier: notifier,
      events: events)
    let signal = ended.record.status == .cancelled ? ended.record.exitCode.map { $0 - 128 } : nil
    if let error = ended.error {
      return recordLost(ended.record, error: error, of: started, signal: signal, events: events)
    }
    // Told after the final record is on disk, before the lock is released.
    let final = ended.record
    let notified = notifier?.runEnded(final, metricsFile: started.metricsFile) ?? final
    let indexed = StatusIndex.add(finalRecord: notified, at: started.metricsFile)
    ItemCompaction.compact(pipeline: pipeline, layout: layout, events: events)
    events.log(
      "run \(run.text) \(final.status.rawValue): \(final.counts.completed) of "
        + "\(final.counts.total) task(s) completed")
    if let report {
      report.updater.update(
        report.directory, layout: layout, run: run.text,
        held: HeldIndex(
          directory: metricsDirectory, start: consume earlier,
          own: PathName.last(started.metricsFile), indexed: indexed),
        events: events)
    }
    RunEndRotation.rotate(
      pipeline, layout: layout, run: run, cancelled: final.status == .cancelled, events: events)
    return Outcome(record: notified, metricsFile: started.metricsFile, signal: signal)
  }

  /// The run ended but its final record is not on disk: the journal says
  /// how it ended, for the next run to settle it.
  private static func recordLost(
    _ record: RunRecord, error: AtomicFile.WriteError, of started: StartedRun, signal: Int32?,
    events: EventLog
  ) -> Outcome {
    started.journal.write(
      .recordLost(
        status: record.status, exitCode: record.exitCode ?? 1, at: Date(), reason: error.reason))
    events.log(
      "run \(started.run.text) \(record.status.rawValue), but its final record could not be "
        + "written (\(error.reason)); the next run settles it from \(RunJournal.fileName)")
    return Outcome(
      record: record, metricsFile: started.metricsFile, signal: signal,
      recordError: error.description)
  }

  /// The scheduler over the started run, with signals delivered to it, until
  /// the final record is written (or could not be).
  private static func schedule(
    _ plan: Plan, started: StartedRun, options: Options, history: @escaping () -> [RunDigest],
    taskHistories: @escaping () -> [String: TaskHistory]? = { nil },
    notifier: RunNotifier?, events: EventLog
  ) -> (record: RunRecord, error: AtomicFile.WriteError?) {
    let record = started.record
    let maxParallel = options.maxParallel ?? plan.pipeline.maxParallel
    let launcher = launcher(plan, run: started.run, options: options)
    let scheduler = Scheduler(
      plan: plan, record: record, launcher: launcher, events: events, journal: started.journal,
      metricsPath: started.metricsFile, reserve: started.reserve, maxParallel: maxParallel,
      history: history, taskHistories: taskHistories,
      cluster: SlurmExecutor.forSlurmTasks(of: plan, launcher: launcher),
      local: options.executor)
    notifier?.runStarted(record)
    events.log(
      "run \(started.run.text) of \(plan.pipeline.name) started: \(plan.steps.count) task(s), "
        + "max_parallel \(maxParallel)")
    // Signals held since the lock was taken are delivered now, before the
    // first task can start.
    let trap = SignalTrap(queue: scheduler.queue) { [scheduler] signal in
      scheduler.cancel(reason: "received \(SignalName.of(signal))", signal: signal)
    }
    scheduler.onPause = { record in notifier?.runPaused(record) }
    let done = DispatchSemaphore(value: 0)
    let finalRecord = FinalRecord()
    scheduler.start { record, error in
      finalRecord.value = record
      finalRecord.error = error
      done.signal()
    }
    // SIGTSTP pauses the run, SIGCONT resumes it (`orchestrate pause`,
    // `resume`); Ctrl-Z on the run's terminal pauses it and then stops the
    // orchestrator too, as the shell expects, until `fg` or `bg` continues it.
    // After the start: a pause held since the lock was taken finds the
    // scheduler running, and stops what it has just started.
    let jobControl = JobControlSignals(queue: scheduler.queue) { [scheduler] received in
      if received.signal == SIGTSTP {
        scheduler.pause()
        if received.fromTerminal, scheduler.pausedTime.isPaused { raise(SIGSTOP) }
      } else {
        scheduler.resume()
      }
    }
    done.wait()
    trap.cancel()
    jobControl.cancel()
    return (finalRecord.value!, finalRecord.error)
  }

  private static func takeLock(
    of pipeline: Pipeline, layout: RootLayout, run: RunID, since startedAt: Date
  ) throws(Failure) -> RunLock {
    do {
      return try RunLock(
        path: layout.lockFile(pipeline: pipeline.name), pipeline: pipeline.name,
        holder: "\(run.text) (pid \(run.pid), since \(Timestamp.format(startedAt)))")
    } catch {
      if case .held = error { throw .locked(error.description) }
      throw .setup(error.description)
    }
  }

  private static func settleAbandoned(
    _ runs: [RunDigest], of pipeline: Pipeline, layout: RootLayout, events: EventLog
  ) {
    for settled in AbandonedRuns.settle(runs, pipeline: pipeline.name, layout: layout) {
      let record = settled.record
      events.problem(
        "settled \(record.runId) as \(record.status.rawValue): \(record.reason ?? "")")
      if let note = settled.note { events.problem("settled \(record.runId): \(note)") }
    }
  }

  private final class FinalRecord: @unchecked Sendable {
    var value: RunRecord?
    var error: AtomicFile.WriteError?
  }

  /// The pipeline's metrics and logs directories, made when missing and
  /// given the readers `files.readable_by` asks for.
  private static func createDirectories(
    of pipeline: Pipeline, layout: RootLayout, events: EventLog
  ) throws(Failure) {
    for (directory, top) in [
      (layout.metricsDirectory(pipeline: pipeline.name), layout.metricsDirectory),
      (layout.logsDirectory(pipeline: pipeline.name), layout.logsDirectory),
    ] {
      try createDirectory(directory, below: top, files: pipeline.files)
      if let problem = FileSystem.setReaders(of: directory, to: pipeline.files.readableBy) {
        events.problem(
          "cannot set who may read \(directory) (files.readable_by: "
            + "\(pipeline.files.readableBy.rawValue)): \(problem)")
      }
    }
  }

  /// `path` and its parent `top` (metrics/ or logs/), made when missing;
  /// refused when either is not a plain directory of orchestrate's own.
  private static func createDirectory(_ path: String, below top: String, files: FileSettings)
    throws(Failure)
  {
    if let problem = FileSystem.makeDirectories(path) {
      throw .setup("cannot create directory \(problem.path): \(problem.reason)")
    }
    for directory in [top, path] {
      if let problem = FileSystem.untrustedDirectory(
        directory, othersMayWrite: files.othersMayWrite)
      {
        throw .setup("refusing to write into \(directory): it \(problem)")
      }
    }
    guard access(path, W_OK) == 0 else {
      throw .setup("cannot write to directory \(path): \(String(cString: strerror(errno)))")
    }
  }

  private static func launcher(_ plan: Plan, run: RunID, options: Options) -> TaskLauncher {
    let pipeline = plan.pipeline
    var environment = plan.sharedEnvironment(inheriting: options.environment)
    environment["ORCHESTRATE_RUN_ID"] = run.text
    environment["ORCHESTRATE_PIPELINE"] = pipeline.name
    environment["ORCHESTRATE_ROOT"] = options.layout.root
    // Each task sets its own; one inherited from an enclosing run must not leak in.
    for key in [
      "ORCHESTRATE_TASK", "ORCHESTRATE_ATTEMPT", "ORCHESTRATE_SOURCE", "ORCHESTRATE_PROGRESS",
      "ORCHESTRATE_METRICS", "ORCHESTRATE_ITEMS", "ORCHESTRATE_RUN_STATUS",
      "ORCHESTRATE_FAILED_TASKS", "ORCHESTRATE_STATE_DIR", "ORCHESTRATE_RESUME_PHASE",
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
    let tasks = plan.steps.map { step in
      step.reused
        ?? {
          var task = TaskRecord(
            name: step.name, task: step.task.name, source: step.source,
            dependsOn: step.dependencies.map { plan.steps[$0].name },
            logFile: layout.taskLogPath(pipeline: pipeline.name, run: run, task: step.name))
          // Declared phases are listed, pending, before the task starts.
          let phases = step.task.phases
          if !phases.isEmpty {
            task.phases = PhaseTracker(declared: phases).phases
          }
          return task
        }()
    }
    var record = RunRecord(
      runId: run.text, pipeline: pipeline.name,
      pipelineFile: URL(fileURLWithPath: pipeline.file).standardizedFileURL.path,
      pipelineSha256: pipeline.sha256, status: .running, startedAt: startedAt,
      identity: ProcessIdentity.current(), user: ProcessIdentity.userName(options.environment),
      trigger: options.trigger, sourceFilter: plan.sourceFilter,
      maxParallel: options.maxParallel ?? pipeline.maxParallel, tasks: tasks)
    record.carrySettings(of: pipeline)
    record.carry(plan.settings)
    record.warnings = plan.settings.warnings.isEmpty ? nil : plan.settings.warnings
    record.rerunOf = plan.rerunOf?.runId
    record.originalPipelineSha256 = plan.rerunOf?.pipelineSha256
    record.taskFilter = plan.taskFilter
    return record
  }

}
