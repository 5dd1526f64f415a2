import Dispatch
import FoundationEssentials
import Glibc

/// Runs attempts as child processes of the orchestrator, each leading a
/// process group of its own; exits come from the one reaper thread.
final class LocalExecutor: Executor {
  let launcher: TaskLauncher
  let capacity: Int

  init(launcher: TaskLauncher, maxParallel: Int) {
    self.launcher = launcher
    self.capacity = maxParallel
  }

  func start(_ step: Plan.Step, attempt: Int, context: [String: String]) throws(TaskLauncher
    .Failure) -> ExecutorLaunch
  {
    let launch = try launcher.launch(step, attempt: attempt, context: context)
    return ExecutorLaunch(
      handle: .process(launch.pid, startTicks: ProcessIdentity.startTicks(of: launch.pid)),
      logFile: launch.logFile, reports: launch.reports, queued: false)
  }

  func watch(_ launch: ExecutorLaunch, events: @escaping @Sendable (AttemptEvent) -> Void) {
    guard case .process(let pid, _) = launch.handle else { return }
    // The reaper thread hands the exit over itself: in a sequence of short
    // tasks, each hand-off between threads costs more than the work done.
    let early = ChildReaper.shared.watch(pid) { status, usage in
      events(.ended(AttemptEnd(status: status, usage: usage)))
    }
    if let (status, usage) = early {
      DispatchQueue.global().async { events(.ended(AttemptEnd(status: status, usage: usage))) }
    }
  }

  func signal(_ handle: AttemptHandle, _ signal: Int32) {
    guard case .process(let pid, _) = handle else { return }
    ChildProcess.signalGroup(pid, signal)
  }

  /// SIGSTOP to the attempt's group: every process of it stops, the
  /// task's children included. A group already gone is ending anyway.
  func suspend(_ handle: AttemptHandle, problem: @escaping @Sendable (String) -> Void) {
    guard case .process(let pid, _) = handle else { return }
    ChildProcess.signalGroup(pid, SIGSTOP)
  }

  func resume(_ handle: AttemptHandle, problem: @escaping @Sendable (String) -> Void) {
    guard case .process(let pid, _) = handle else { return }
    ChildProcess.signalGroup(pid, SIGCONT)
  }

  func noteStart(of launch: ExecutorLaunch, in attempt: inout AttemptRecord) -> String {
    guard case .process(let pid, let ticks) = launch.handle else { return "" }
    attempt.pid = pid
    attempt.processStartTicks = ticks
    return "pid \(pid)"
  }
}
