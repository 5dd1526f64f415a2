import FoundationEssentials
import Glibc

/// Turns a plan step into a started process: a log file of its own for each
/// attempt, holding exactly the bytes the program writes (no header: `logs`
/// composes one from the record), its environment, directory and program
/// resolved. Output goes straight from the child to the log file.
struct TaskLauncher: Sendable {
  let layout: RootLayout
  let pipeline: String
  let run: RunID
  /// The inherited environment with the pipeline's `env` and the run's
  /// `ORCHESTRATE_*` variables applied (per-task ones left to each task).
  let sharedEnvironment: SharedEnvironment
  /// Where `argv` programs are looked up unless a task's `env` sets PATH.
  let searchPath: String
  /// Absolute; where tasks without a `working_directory` start.
  let workingDirectory: String
  /// Program lookups and directory checks made once per run, not per task.
  let programs = ProgramCache()
  /// Where the run's task logs and report files go.
  let logDirectory: String

  init(
    layout: RootLayout, pipeline: String, run: RunID, sharedEnvironment: SharedEnvironment,
    searchPath: String, workingDirectory: String
  ) {
    self.layout = layout
    self.pipeline = pipeline
    self.run = run
    self.sharedEnvironment = sharedEnvironment
    self.searchPath = searchPath
    self.workingDirectory = workingDirectory
    logDirectory = layout.runLogDirectory(pipeline: pipeline, run: run)
  }

  struct Launch {
    var pid: pid_t
    /// This attempt's log, relative to the root.
    var logFile: String
    /// Follows what the task reports through $ORCHESTRATE_PROGRESS and $ORCHESTRATE_METRICS.
    var reports: TaskReportFollower
  }

  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  /// An attempt ready to start wherever it runs: its log (created empty),
  /// environment, directory and arguments.
  struct Setup {
    var logFile: String
    /// Open for writing; the caller closes it.
    var logDescriptor: Int32
    var reports: TaskReportFollower
    /// The task's own variables, laid over `sharedEnvironment`.
    var overrides: [String: String]
    var directory: String
    var arguments: [String]
  }

  /// `context`: variables that tell the task how the run is going.
  func launch(_ step: Plan.Step, attempt: Int, context: [String: String] = [:]) throws(Failure)
    -> Launch
  {
    let setup = try prepare(step, attempt: attempt, context: context)
    defer { close(setup.logDescriptor) }
    let (overrides, directory, arguments) = (setup.overrides, setup.directory, setup.arguments)
    let executable: String
    do {
      executable = try programs.resolve(
        arguments[0], searchPath: overrides["PATH"] ?? searchPath, directory: directory)
    } catch {
      throw Failure(description: error.description)
    }
    do {
      let pid = try ChildProcess.spawn(
        ProcessSpec(
          executable: executable, arguments: arguments,
          environment: ProcessEnvironment(shared: sharedEnvironment, overrides: overrides),
          workingDirectory: directory, outputDescriptor: setup.logDescriptor))
      return Launch(pid: pid, logFile: setup.logFile, reports: setup.reports)
    } catch {
      // Checks are remembered for the run: say so when the directory went
      // away since, rather than blaming the program.
      programs.forget()
      let reason =
        programs.isDirectory(directory) ? error.description : Self.missingDirectory(directory)
      throw Failure(description: reason)
    }
  }

  func prepare(_ step: Plan.Step, attempt: Int, context: [String: String]) throws(Failure) -> Setup
  {
    let logFile = layout.taskLogPath(
      pipeline: pipeline, run: run, task: step.name, attempt: attempt)
    let logPath = layout.absolute(logFile)
    let fd = FileSystem.openOwn(logPath, O_WRONLY | O_TRUNC)
    guard fd >= 0 else {
      throw Failure(description: "cannot open log \(logPath): \(String(cString: strerror(errno)))")
    }

    let reports = TaskReportFollower(
      progressPath: "\(logDirectory)/\(step.name).\(attempt).progress.jsonl",
      metricsPath: "\(logDirectory)/\(step.name).\(attempt).metrics.jsonl",
      declared: step.task.phases,
      items: ItemReportReader(
        path: "\(logDirectory)/\(step.name).\(attempt).items.jsonl", run: run.text,
        task: step.name, attempt: attempt))
    var overrides = step.task.environment
    for (key, value) in context { overrides[key] = value }
    overrides["ORCHESTRATE_TASK"] = step.name
    overrides["ORCHESTRATE_ATTEMPT"] = String(attempt)
    overrides["ORCHESTRATE_SOURCE"] = step.source
    overrides["ORCHESTRATE_PROGRESS"] = reports.progressPath
    overrides["ORCHESTRATE_METRICS"] = reports.metricsPath
    overrides["ORCHESTRATE_ITEMS"] = reports.items.path
    if let phase = step.resumePhase { overrides["ORCHESTRATE_RESUME_PHASE"] = phase }
    let directory = resolve(step.task.workingDirectory, against: workingDirectory)
    guard programs.isDirectory(directory) else {
      close(fd)
      throw Failure(description: Self.missingDirectory(directory))
    }
    let arguments: [String]
    switch step.task.command {
    case .shell(let script, let shell): arguments = [shell, "-c", script]
    case .argv(let argv):
      do {
        arguments =
          argv.contains { $0.contains("${") }
          ? try ArgvExpansion.expand(argv) { overrides[$0] ?? sharedEnvironment.value(of: $0) }
          : argv
      } catch {
        throw Failure(description: "argv: \(error)")
      }
    }
    return Setup(
      logFile: logFile, logDescriptor: fd, reports: reports, overrides: overrides,
      directory: directory, arguments: arguments)
  }

  private static func missingDirectory(_ directory: String) -> String {
    "working directory does not exist: \(directory)"
  }

  private func resolve(_ path: String?, against base: String) -> String {
    guard let path, !path.isEmpty else { return base }
    return path.hasPrefix("/") ? path : "\(base)/\(path)"
  }
}
