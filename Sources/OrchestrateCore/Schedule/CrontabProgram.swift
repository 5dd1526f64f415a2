import FoundationEssentials
import Glibc

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
        "crontab -l failed: \(result.error.trimmed)")
  }

  public func write(_ text: String) throws(Failure) {
    let result = try run(["-"], input: text)
    guard result.status == 0 else {
      throw Failure(
        description: "crontab refused the new table: "
          + result.error.trimmed)
    }
  }

  private func run(_ arguments: [String], input: String?) throws(Failure) -> (
    status: Int32, output: String, error: String
  ) {
    let result: CapturedCommand.Result
    do {
      result = try CapturedCommand.run(
        "/usr/bin/env", ["crontab"] + (user.map { ["-u", $0] } ?? []) + arguments,
        environment: .inherited, input: input.map { Data($0.utf8) }, separateErrors: true)
    } catch {
      throw Failure(description: "cannot run crontab: \(error)")
    }
    let status: Int32 =
      switch result.status {
      case .exited(let code): code
      case .signaled(let signal): 128 + signal
      case nil: 128 + SIGKILL
      }
    if status == 127 || status == 126,
      result.errors.contains("crontab")
    {
      throw Failure(
        description: "the crontab program is not installed (Debian: apt-get install cron)")
    }
    return (status, result.output, result.errors)
  }
}
