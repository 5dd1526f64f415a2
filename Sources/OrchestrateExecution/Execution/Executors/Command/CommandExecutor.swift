import Dispatch
import FoundationEssentials
import Glibc

/// The skeleton of a third executor, written against the seam alone: a batch
/// queue driven by three commands, as PBS (qsub, qstat, qdel), LSF (bsub,
/// bjobs, bkill) or HTCondor are. `submit JOBSCRIPT` prints the job's id on
/// its first line; `status ID` prints `PENDING`, `RUNNING [NODE]` or anything
/// else once the job has left the queue; `cancel ID` stops it. The job script
/// runs the task with its log as output and writes its exit status beside the
/// log; the task's environment reaches the job through the submit command's
/// own (as `qsub -V` or `sbatch --export=ALL` pass it), never through a file.
///
/// Nothing outside this folder knows it yet: a pipeline cannot choose it
/// (that takes a case of `TaskExecutor` with its settings). Its attempts'
/// records carry `executor: command` and the job's id and state, as Slurm's
/// do. Resource usage is not measured: a wrapper on the node, as Slurm's
/// task-wrapper, would.
final class CommandExecutor: Executor, @unchecked Sendable {
  struct Commands: Sendable {
    var submit: [String]
    var status: [String]
    var cancel: [String]
    /// `suspend ID` and `resume ID` (as `qsig -s STOP`, `bstop`/`bresume`):
    /// without both, a run with jobs here cannot be paused.
    var suspend: [String]? = nil
    var resume: [String]? = nil
  }

  let capacity: Int
  private let commands: Commands
  private let launcher: TaskLauncher
  private let interval: Double
  private let queue = DispatchQueue(label: "orchestrate.command-executor")
  // On `queue`:
  private var jobs: [String: Job] = [:]
  private var polling = false

  private struct Job {
    var exitPath: String
    var events: (@Sendable (AttemptEvent) -> Void)?
    var submitted = Date()
    var running = false
  }

  init(commands: Commands, launcher: TaskLauncher, capacity: Int, interval: Double = 1) {
    self.commands = commands
    self.launcher = launcher
    self.capacity = capacity
    self.interval = interval
  }

  func start(_ step: Plan.Step, attempt: Int, context: [String: String]) throws(TaskLauncher
    .Failure) -> ExecutorLaunch
  {
    let setup = try launcher.prepare(step, attempt: attempt, context: context)
    close(setup.logDescriptor)
    let base = "\(launcher.logDirectory)/\(step.name).\(attempt)"
    let (scriptPath, exitPath) = ("\(base).job", "\(base).exit")
    unlink(exitPath)
    let quoted = ShellWords.singleQuoted
    let script = """
      #!/bin/sh
      cd \(quoted(setup.directory)) || exit 1
      \(setup.arguments.map(quoted).joined(separator: " ")) >>\(quoted(launcher.layout.absolute(setup.logFile))) 2>&1
      echo $? >\(quoted(exitPath + ".new")) && mv \(quoted(exitPath + ".new")) \(quoted(exitPath))

      """
    guard FileManager.default.createFile(atPath: scriptPath, contents: Data(script.utf8)) else {
      throw TaskLauncher.Failure(description: "cannot write the job script \(scriptPath)")
    }
    let environment = ProcessEnvironment(
      shared: launcher.sharedEnvironment, overrides: setup.overrides)
    let answer = run(commands.submit + [scriptPath], environment: environment)
    guard let answer, answer.succeeded,
      let id = answer.output.split(separator: "\n").first.map(String.init), !id.isEmpty
    else {
      throw TaskLauncher.Failure(
        description:
          "cannot submit the job: \(answer?.oneLine ?? "the submit command did not start")")
    }
    // Not `sync`: an attempt's end, reported from `queue`, starts the next one.
    queue.async { self.jobs[id] = Job(exitPath: exitPath) }
    return ExecutorLaunch(
      handle: .job(
        id: id,
        name: AttemptHandle.jobName(
          pipeline: launcher.pipeline, run: launcher.run.text, task: step.name)),
      logFile: setup.logFile, reports: setup.reports, queued: true)
  }

  func watch(_ launch: ExecutorLaunch, events: @escaping @Sendable (AttemptEvent) -> Void) {
    guard case .job(let id, _) = launch.handle else { return }
    queue.async { [self] in
      jobs[id]?.events = events
      if !polling {
        polling = true
        queue.asyncAfter(deadline: .now() + interval) { self.poll() }
      }
    }
  }

  /// SIGTERM and SIGKILL alike: the queue's cancel command.
  func signal(_ handle: AttemptHandle, _ signal: Int32) {
    guard case .job(let id, _) = handle else { return }
    queue.async { [self] in _ = run(commands.cancel + [id], environment: .inherited) }
  }

  var pauseRefusal: String? {
    commands.suspend == nil || commands.resume == nil
      ? "the command executor has no suspend and resume commands: its jobs cannot be paused"
      : nil
  }

  func suspend(_ handle: AttemptHandle, problem: @escaping @Sendable (String) -> Void) {
    control(handle, with: commands.suspend, doing: "suspended", problem: problem)
  }

  func resume(_ handle: AttemptHandle, problem: @escaping @Sendable (String) -> Void) {
    control(handle, with: commands.resume, doing: "resumed", problem: problem)
  }

  private func control(
    _ handle: AttemptHandle, with command: [String]?, doing: String,
    problem: @escaping @Sendable (String) -> Void
  ) {
    guard case .job(let id, _) = handle, let command else { return }
    queue.async { [self] in
      let answer = run(command + [id], environment: .inherited)
      if answer?.succeeded != true {
        problem(
          "job \(id) could not be \(doing): \(answer?.oneLine ?? "the command did not start")")
      }
    }
  }

  func noteStart(of launch: ExecutorLaunch, in attempt: inout AttemptRecord) -> String {
    guard case .job(let id, _) = launch.handle else { return "" }
    attempt.noteSubmitted(to: "command", job: id, state: "PENDING")
    return "job \(id)"
  }

  /// One status command per job and interval, until no job is left.
  private func poll() {
    for (id, job) in jobs {
      guard let events = job.events else { continue }
      if let text = try? String(contentsOfFile: job.exitPath, encoding: .utf8),
        let code = Int32(text.split(whereSeparator: \.isWhitespace).first ?? "")
      {
        jobs[id] = nil
        events(.ended(AttemptEnd(status: .exited(code), usage: Self.unmeasured)))
        continue
      }
      let words =
        run(commands.status + [id], environment: .inherited)?.output
        .split(whereSeparator: \.isWhitespace).map(String.init) ?? []
      switch words.first {
      case "PENDING": continue
      case "RUNNING":
        if !job.running {
          jobs[id]?.running = true
          events(.running(node: words.dropFirst().first))
        }
      default:
        jobs[id] = nil
        events(
          .ended(
            AttemptEnd(
              status: nil, usage: Self.unmeasured,
              reason: "job \(id) left the queue (\(words.first ?? "no status")) without a result")))
      }
    }
    polling = !jobs.isEmpty
    if polling { queue.asyncAfter(deadline: .now() + interval) { self.poll() } }
  }

  private func run(_ arguments: [String], environment: ProcessEnvironment)
    -> CapturedCommand.Result?
  {
    guard
      let program = try? ExecutableLookup.resolve(
        arguments[0], searchPath: launcher.searchPath, directory: launcher.workingDirectory)
    else { return nil }
    return try? CapturedCommand.run(
      program, Array(arguments.dropFirst()), environment: environment,
      deadline: Date().addingTimeInterval(60))
  }

  private static let unmeasured = ResourceUsage(peakRSSBytes: 0, userSeconds: 0, systemSeconds: 0)
}
