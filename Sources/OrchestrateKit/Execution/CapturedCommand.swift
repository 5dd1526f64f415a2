import Dispatch
import FoundationEssentials
import Glibc

/// A short helper program (sbatch, squeue, scancel) run to its end through
/// the orchestrator's own spawn path, its output (stdout and stderr
/// together) captured. Its exit comes from the one reaper thread, which
/// reaps every child.
enum CapturedCommand {
  struct Result {
    var status: TerminationStatus
    var output: String

    var succeeded: Bool { status == .exited(0) }

    /// The output on one line, for a message.
    var oneLine: String {
      output.split(whereSeparator: \.isNewline).map { $0.trimmed }
        .filter { !$0.isEmpty }.joined(separator: "; ")
    }
  }

  static func run(
    _ executable: String, _ arguments: [String], environment: ProcessEnvironment,
    directory: String? = nil
  ) throws(SpawnError) -> Result {
    var ends: [Int32] = [-1, -1]
    // Children close every descriptor above 2, so the ends need no O_CLOEXEC.
    guard pipe(&ends) == 0 else {
      throw SpawnError(description: "cannot make a pipe: \(String(cString: strerror(errno)))")
    }
    let pid: pid_t
    do {
      pid = try ChildProcess.spawn(
        ProcessSpec(
          executable: executable, arguments: [executable] + arguments, environment: environment,
          workingDirectory: directory, outputDescriptor: ends[1]))
    } catch {
      close(ends[0])
      close(ends[1])
      throw error
    }
    close(ends[1])
    var output = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = read(ends[0], &buffer, buffer.count)
      if count > 0 {
        output.append(contentsOf: buffer[0..<count])
      } else if count == 0 || errno != EINTR {
        break
      }
    }
    close(ends[0])
    return Result(status: waitForExit(of: pid), output: String(decoding: output, as: UTF8.self))
  }

  /// Waits for this one child itself: the reaper thread may be the caller
  /// (a task's exit starts the next task on it), so it cannot be relied on.
  /// When the reaper, waiting for any child, took the exit first, it holds
  /// it for whoever watches the pid.
  private static func waitForExit(of pid: pid_t) -> TerminationStatus {
    var status: Int32 = 0
    var reaped: pid_t
    repeat { reaped = waitpid(pid, &status, 0) } while reaped < 0 && errno == EINTR
    if reaped == pid {
      return (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
    }
    let exit = ExitBox()
    if let (status, _) = ChildReaper.shared.watch(pid, handler: { status, _ in exit.set(status) }) {
      exit.set(status)
    }
    return exit.wait()
  }

  private final class ExitBox: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var status: TerminationStatus = .exited(0)

    func set(_ value: TerminationStatus) {
      status = value
      done.signal()
    }

    func wait() -> TerminationStatus {
      done.wait()
      return status
    }
  }
}
