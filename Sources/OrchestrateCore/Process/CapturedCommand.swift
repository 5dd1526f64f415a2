import Dispatch
import FoundationEssentials
import Glibc

/// A short helper program (sbatch, squeue, scancel, curl, crontab, sendmail)
/// run to its end through the orchestrator's own spawn path, fed its input
/// and read back through unlinked temporary files, so that neither side can
/// wait on a full pipe. Its exit comes from the one reaper thread, which
/// reaps every child, or from this caller.
package enum CapturedCommand {
  package struct Result {
    /// Nil when the deadline passed and the program's group was killed.
    package var status: TerminationStatus?
    /// Standard output, with standard error in it unless asked apart.
    package var output: String
    /// Standard error when asked apart (`separateErrors`), else empty.
    package var errors: String

    package var succeeded: Bool { status == .exited(0) }

    /// The output on one line, for a message.
    package var oneLine: String {
      output.split(whereSeparator: \.isNewline).map { $0.trimmed }
        .filter { !$0.isEmpty }.joined(separator: "; ")
    }
  }

  /// `deadline`: when the program still runs then, its process group is
  /// killed and the result has no status.
  package static func run(
    _ executable: String, _ arguments: [String], environment: ProcessEnvironment,
    directory: String? = nil, input: Data? = nil, separateErrors: Bool = false,
    deadline: Date? = nil
  ) throws(SpawnError) -> Result {
    let output = try scratchFile()
    defer { close(output) }
    let errors = separateErrors ? try scratchFile() : nil
    defer { if let errors { close(errors) } }
    let inputFile = try input.map { bytes throws(SpawnError) in try scratchFile(holding: bytes) }
    defer { if let inputFile { close(inputFile) } }
    let pid = try ChildProcess.spawn(
      ProcessSpec(
        executable: executable, arguments: [executable] + arguments, environment: environment,
        workingDirectory: directory, outputDescriptor: output, errorDescriptor: errors,
        inputDescriptor: inputFile))
    let status = waitForExit(of: pid, deadline: deadline)
    return Result(
      status: status, output: text(of: output), errors: errors.map(text(of:)) ?? "")
  }

  /// Waits for this one child itself: the reaper thread may be the caller
  /// (a task's exit starts the next task on it), so it cannot be relied on.
  /// When the reaper, waiting for any child, took the exit first, it holds
  /// it for whoever watches the pid.
  private static func waitForExit(of pid: pid_t, deadline: Date?) -> TerminationStatus? {
    var status: Int32 = 0
    while true {
      let reaped = waitpid(pid, &status, deadline == nil ? 0 : WNOHANG)
      if reaped == pid {
        return (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
      }
      if reaped < 0 && errno == EINTR { continue }
      if reaped < 0 { break }
      if let deadline, Date() >= deadline {
        _ = ChildProcess.signalGroup(pid, SIGKILL)
        _ = waitForExit(of: pid, deadline: nil)
        return nil
      }
      usleep(10_000)
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

  /// A file in the temporary directory, already unlinked, holding `bytes`
  /// and positioned at its start.
  private static func scratchFile(holding bytes: Data = Data()) throws(SpawnError) -> Int32 {
    let directory =
      ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    var template = Array("\(directory)/orchestrate-XXXXXX".utf8CString)
    let fd = mkstemp(&template)
    guard fd >= 0 else {
      throw SpawnError(
        description:
          "cannot make a temporary file in \(directory): \(String(cString: strerror(errno)))")
    }
    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    unlink(template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
    let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    guard written == bytes.count, lseek(fd, 0, SEEK_SET) == 0 else {
      close(fd)
      throw SpawnError(description: "cannot write a temporary file in \(directory)")
    }
    return fd
  }

  private static func text(of fd: Int32) -> String {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 64 << 10)
    var offset: off_t = 0
    while true {
      let count = pread(fd, &buffer, buffer.count, offset)
      if count < 0 && errno == EINTR { continue }
      if count <= 0 { break }
      bytes += buffer[..<count]
      offset += off_t(count)
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
