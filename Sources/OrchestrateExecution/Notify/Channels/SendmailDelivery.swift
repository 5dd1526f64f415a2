import FoundationEssentials
import Glibc

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
    let result: CapturedCommand.Result
    do {
      result = try CapturedCommand.run(
        program, ["-t", "-oi"], environment: .inherited, input: Data(message.utf8),
        separateErrors: true, deadline: deadline)
    } catch {
      return .init(delivered: false, attempts: 1, error: "cannot run \(program): \(error)")
    }
    guard let status = result.status else {
      return .init(
        delivered: false, attempts: 1,
        error: "\(program) did not finish within \(limit); killed")
    }
    guard status == .exited(0) else {
      let said = result.errors.split(separator: "\n").last.map { ": \($0)" } ?? ""
      let how =
        switch status {
        case .exited(let code): "exited \(code)"
        case .signaled(let signal): "killed by signal \(signal)"
        }
      return .init(delivered: false, attempts: 1, error: "\(program) \(how)\(said)")
    }
    return .init(delivered: true, attempts: 1)
  }
}
