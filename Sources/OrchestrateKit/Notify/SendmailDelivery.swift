import Foundation

/// Hands a message to `sendmail -t -oi`, the interface cron itself uses, so
/// any MTA or msmtp delivers it. Bounded by the deadline: a sendmail that
/// hangs is killed.
enum SendmailDelivery {
  static func send(_ message: String, program: String, deadline: Date, limit: String)
    -> HTTPDelivery.Outcome
  {
    guard access(program, X_OK) == 0 else {
      return .init(
        delivered: false, attempts: 0,
        error:
          "\(program) is not an executable program (install an MTA, e.g. msmtp-mta, or set sendmail:)"
      )
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = ["-t", "-oi"]
    let input = Pipe()
    let errors = Pipe()
    process.standardInput = input
    process.standardOutput = FileHandle.nullDevice
    process.standardError = errors
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }
    do {
      try process.run()
    } catch {
      return .init(
        delivered: false, attempts: 1, error: "cannot run \(program): \(error.localizedDescription)"
      )
    }
    nonisolated(unsafe) var errorText = Data()
    let drained = DispatchSemaphore(value: 0)
    DispatchQueue.global().async {
      errorText = errors.fileHandleForReading.readDataToEndOfFile()
      drained.signal()
    }
    // Written from another thread: a sendmail that never reads must not
    // hold this one past the deadline.
    DispatchQueue.global().async {
      try? input.fileHandleForWriting.write(contentsOf: Data(message.utf8))
      try? input.fileHandleForWriting.close()
    }
    let timeout = max(0, deadline.timeIntervalSinceNow)
    if exited.wait(timeout: .now() + timeout) == .timedOut {
      kill(process.processIdentifier, SIGKILL)
      _ = exited.wait(timeout: .now() + 1)
      return .init(
        delivered: false, attempts: 1,
        error: "\(program) did not finish within \(limit); killed")
    }
    _ = drained.wait(timeout: .now() + 1)
    let status = process.terminationStatus
    guard process.terminationReason == .exit, status == 0 else {
      let said =
        String(decoding: errorText, as: UTF8.self)
        .split(separator: "\n").last.map { ": \($0)" } ?? ""
      let how =
        process.terminationReason == .exit ? "exited \(status)" : "killed by signal \(status)"
      return .init(delivered: false, attempts: 1, error: "\(program) \(how)\(said)")
    }
    return .init(delivered: true, attempts: 1)
  }
}
