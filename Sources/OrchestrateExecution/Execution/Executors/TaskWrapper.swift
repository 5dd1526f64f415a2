import Dispatch
import FoundationEssentials
import Glibc

/// What runs a task on a compute node (`orchestrate task-wrapper`, the job
/// script's one command): it starts the task exactly as the local executor
/// does (a process group of its own, stdin from /dev/null, output to its
/// own, which Slurm sends to the attempt's log, signal dispositions reset),
/// passes SIGTERM, SIGINT and SIGHUP on to the task's group (SIGUSR2 from
/// the orchestrator becomes SIGTERM), kills the group on SIGUSR1 (the
/// orchestrator's kill after the grace), waits for it with
/// `wait4` and writes its exit, times, peak memory, CPU and node to the
/// result file the orchestrator reads. So a cluster task gets the same
/// exact account as a local one without Slurm's accounting database.
public enum TaskWrapper {
  /// The task's process group, for the SIGUSR1 handler.
  nonisolated(unsafe) private static var group: pid_t = 0

  /// Runs `command` and returns the exit status to end with: the task's
  /// own, 128+N for a signal, 127 when it could not start.
  public static func run(command: [String], resultPath: String) -> Int32 {
    let node = ProcessIdentity.hostName()
    let started = Date()
    let environment = ProcessInfo.processInfo.environment
    let directory = FileManager.default.currentDirectoryPath
    func fail(_ message: String) -> Int32 {
      StandardError.write("orchestrate task-wrapper: \(message)\n")
      let result = TaskResultFile(
        status: nil, usage: ResourceUsage(peakRSSBytes: 0, userSeconds: 0, systemSeconds: 0),
        startedAt: started, finishedAt: Date(), node: node, error: message)
      _ = result.write(to: resultPath)
      return 127
    }
    guard let program = command.first else { return fail("no command to run") }
    // The orchestrator's requests, through `scancel --batch`: USR2 for
    // SIGTERM, USR1 for SIGKILL to the group, sent straight from the
    // handler (kill() is async-signal-safe).
    signal(SIGUSR1) { _ in if TaskWrapper.group > 0 { kill(-TaskWrapper.group, SIGKILL) } }
    signal(SIGUSR2) { _ in if TaskWrapper.group > 0 { kill(-TaskWrapper.group, SIGTERM) } }
    let forward = DispatchQueue(label: "orchestrate.task-wrapper.signals")
    let trap = SignalTrap(queue: forward) { number in
      if TaskWrapper.group > 0 { kill(-TaskWrapper.group, number) }
    }
    defer { trap.cancel() }
    let pid: pid_t
    do {
      let executable = try ExecutableLookup.resolve(
        program, searchPath: environment["PATH"] ?? "/usr/bin:/bin", directory: directory)
      pid = try ChildProcess.spawn(
        ProcessSpec(
          executable: executable, arguments: command,
          environment: ProcessEnvironment(shared: SharedEnvironment(environment)),
          workingDirectory: directory, outputDescriptor: 1))
    } catch let error as ExecutableLookup.Failure {
      return fail(error.description)
    } catch {
      return fail("\(error)")
    }
    group = pid
    var (reaped, status, usage) = ChildProcess.waitForAnyExit()
    while reaped != pid { (reaped, status, usage) = ChildProcess.waitForAnyExit() }
    let finished = Date()
    // Whatever the task left in its group ends with it, as on the local executor.
    kill(-pid, SIGKILL)
    let result = TaskResultFile(
      status: status, usage: usage, startedAt: started, finishedAt: finished, node: node)
    if !result.write(to: resultPath) {
      StandardError.write("orchestrate task-wrapper: cannot write \(resultPath)\n")
    }
    switch status {
    case .exited(let code): return code
    case .signaled(let number): return 128 + number
    }
  }
}
