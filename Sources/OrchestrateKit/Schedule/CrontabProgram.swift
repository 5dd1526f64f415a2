import Foundation

/// The system's `crontab` program, the only sanctioned way to read and
/// replace a user's crontab (it checks the syntax, takes cron's locks and
/// tells the daemon).
public struct CrontabProgram {
  /// Another user's crontab (`crontab -u`, root only); nil: the caller's.
  public var user: String?

  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  public init(user: String? = nil) {
    self.user = user
  }

  /// The crontab's text; empty when the user has none.
  public func read() throws(Failure) -> String {
    let result = try run(["-l"], input: nil)
    if result.status == 0 { return result.output }
    if result.error.contains("no crontab for") { return "" }
    throw Failure(
      description:
        "crontab -l failed: \(result.error.trimmingCharacters(in: .whitespacesAndNewlines))")
  }

  public func write(_ text: String) throws(Failure) {
    let result = try run(["-"], input: text)
    guard result.status == 0 else {
      throw Failure(
        description: "crontab refused the new table: "
          + result.error.trimmingCharacters(in: .whitespacesAndNewlines))
    }
  }

  private func run(_ arguments: [String], input: String?) throws(Failure) -> (
    status: Int32, output: String, error: String
  ) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["crontab"] + (user.map { ["-u", $0] } ?? []) + arguments
    let output = Pipe()
    let error = Pipe()
    let feed = Pipe()
    process.standardOutput = output
    process.standardError = error
    process.standardInput = input == nil ? FileHandle.nullDevice : feed
    do {
      try process.run()
    } catch {
      throw Failure(description: "cannot run crontab: \(error.localizedDescription)")
    }
    // Read both pipes while writing, so that neither side waits on a full pipe.
    let group = DispatchGroup()
    nonisolated(unsafe) var outputData = Data()
    nonisolated(unsafe) var errorData = Data()
    DispatchQueue.global().async(group: group) {
      outputData = output.fileHandleForReading.readDataToEndOfFile()
    }
    DispatchQueue.global().async(group: group) {
      errorData = error.fileHandleForReading.readDataToEndOfFile()
    }
    if let input {
      feed.fileHandleForWriting.write(Data(input.utf8))
      try? feed.fileHandleForWriting.close()
    }
    group.wait()
    process.waitUntilExit()
    let status =
      process.terminationReason == .exit
      ? process.terminationStatus : 128 + process.terminationStatus
    if status == 127 || status == 126,
      String(decoding: errorData, as: UTF8.self).contains("crontab")
    {
      throw Failure(
        description: "the crontab program is not installed (Debian: apt-get install cron)")
    }
    return (
      status, String(decoding: outputData, as: UTF8.self),
      String(decoding: errorData, as: UTF8.self)
    )
  }
}
