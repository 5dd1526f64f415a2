import Dispatch
import FoundationEssentials
import Glibc

/// One thread that reaps every child the orchestrator starts: it blocks in
/// `wait4(-1)` and hands each exit, with the kernel's exact resource usage,
/// to the handler registered for that pid. One long-lived thread costs less
/// than a thread per task and needs no SIGCHLD handling. The orchestrator
/// starts children through `ChildProcess` only, so every child is a task.
package final class ChildReaper: @unchecked Sendable {
  package static let shared = ChildReaper()

  package typealias Handler = @Sendable (TerminationStatus, ResourceUsage) -> Void
  private let lock = Lock()
  private var handlers: [pid_t: Handler] = [:]
  /// Exits of children that were reaped before their handler arrived.
  private var unclaimed: [pid_t: (TerminationStatus, ResourceUsage)] = [:]
  /// One count per watched child: the thread calls wait4 only when a child exists.
  private let children = DispatchSemaphore(value: 0)
  private var started = false

  /// Calls `handler` on the reaper thread when `pid`, a child just spawned,
  /// exits. When it has exited already, returns its exit instead: the caller
  /// is often on a queue the handler would synchronise with.
  package func watch(_ pid: pid_t, handler: @escaping Handler) -> (
    TerminationStatus, ResourceUsage
  )? {
    let early: (TerminationStatus, ResourceUsage)? = lock.withLock {
      if !started {
        started = true
        BackgroundThread.start(stackSize: 256 << 10) { [self] in reap() }
      }
      guard let result = unclaimed.removeValue(forKey: pid) else {
        handlers[pid] = handler
        return nil
      }
      return result
    }
    children.signal()
    return early
  }

  private func reap() {
    while true {
      children.wait()
      let (pid, status, usage) = ChildProcess.waitForAnyExit()
      guard pid > 0 else { continue }
      let handler: Handler? = lock.withLock {
        guard let handler = handlers.removeValue(forKey: pid) else {
          unclaimed[pid] = (status, usage)
          return nil
        }
        return handler
      }
      handler?(status, usage)
    }
  }
}
