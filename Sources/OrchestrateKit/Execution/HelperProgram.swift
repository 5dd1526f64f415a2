import Dispatch
import FoundationEssentials
import Glibc

/// A short-lived system program the orchestrator itself uses (`crontab`,
/// `sendmail`): fed its input and read back through unlinked temporary
/// files, so neither side can wait on a full pipe, and reaped with every
/// other child by the `ChildReaper`.
struct HelperProgram {
  var executable: String
  var arguments: [String]

  struct Result {
    /// Nil when the deadline passed and the program was killed.
    var status: TerminationStatus?
    var output: String
    var errors: String
  }

  /// Runs the program to its end, or until `deadline`, when its process
  /// group is killed.
  func run(input: Data?, deadline: Date? = nil) throws(SpawnError) -> Result {
    let files = try (0..<3).map { _ throws(SpawnError) in try Self.scratchFile() }
    defer { for fd in files { close(fd) } }
    let (inputFile, outputFile, errorFile) = (files[0], files[1], files[2])
    if let input {
      let written = input.withUnsafeBytes { write(inputFile, $0.baseAddress, $0.count) }
      guard written == input.count, lseek(inputFile, 0, SEEK_SET) == 0 else {
        throw SpawnError(description: "cannot write the input of \(executable)")
      }
    }
    let pid = try ChildProcess.spawn(
      ProcessSpec(
        executable: executable, arguments: [executable] + arguments,
        environment: ProcessEnvironment(
          shared: SharedEnvironment(ProcessInfo.processInfo.environment)),
        workingDirectory: nil, outputDescriptor: outputFile, errorDescriptor: errorFile,
        inputDescriptor: input == nil ? nil : inputFile))
    let ended = DispatchSemaphore(value: 0)
    let outcome = Outcome()
    if let (status, _) = ChildReaper.shared.watch(
      pid,
      handler: { status, _ in
        outcome.status = status
        ended.signal()
      })
    {
      outcome.status = status
      ended.signal()
    }
    let waited = ended.wait(
      timeout: deadline.map { .now() + max(0, $0.timeIntervalSinceNow) } ?? .distantFuture)
    if waited == .timedOut {
      _ = ChildProcess.signalGroup(pid, SIGKILL)
      _ = ended.wait(timeout: .now() + 1)
      return Result(
        status: nil, output: Self.text(of: outputFile), errors: Self.text(of: errorFile))
    }
    return Result(
      status: outcome.status, output: Self.text(of: outputFile), errors: Self.text(of: errorFile))
  }

  private final class Outcome: @unchecked Sendable {
    var status: TerminationStatus?
  }

  /// A file in the temporary directory that is already unlinked.
  private static func scratchFile() throws(SpawnError) -> Int32 {
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
    return fd
  }

  private static func text(of fd: Int32) -> String {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 16 << 10)
    var offset: off_t = 0
    while true {
      let count = pread(fd, &buffer, buffer.count, offset)
      if count <= 0 { break }
      bytes += buffer[..<count]
      offset += off_t(count)
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
