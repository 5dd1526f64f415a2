import FlyingFox
import FlyingSocks
import Foundation
import OrchestrateKit

/// A task's log as a response body: printed by the same code as
/// `orchestrate logs` (directories and archives alike) into an unlinked
/// temporary file, then sent from it in 64 KiB pieces, so a log of any size
/// never sits in memory. Secret values the run located in the log are
/// shown as `***`, as in the record's tails.
enum LogBody {
  enum Outcome {
    case body(HTTPBodySequence)
    case notFound
    /// The log may hold secrets nobody located: not sent, and why.
    case withheld(String)
  }

  static func make(layout: RootLayout, run: String, task: String, attempt: Int?) -> Outcome {
    let logs = RunLogs(layout: layout)
    guard let stored = try? logs.find(run: run) else { return .notFound }
    let printer = TaskLogPrinter(logs: logs, run: stored, masksSecrets: true)
    // Only the record's own tasks: a name never becomes an arbitrary path.
    guard let record = printer.task(task) else { return .notFound }
    if let attempt, !record.attempts.contains(where: { $0.number == attempt }) {
      return .notFound
    }
    var template = Array("\(NSTemporaryDirectory())/orchestrate-log-XXXXXX".utf8CString)
    let fd = mkstemp(&template)
    guard fd >= 0 else { return .notFound }
    unlink(String(cString: template))
    do {
      if let attempt {
        try printer.printAttempt(attempt, of: task, to: fd)
      } else {
        try printer.printAll(task, to: fd)
      }
    } catch {
      close(fd)
      if case .secretsNotLocated = error { return .withheld(error.description) }
      return .notFound
    }
    let size = Int(lseek(fd, 0, SEEK_END))
    lseek(fd, 0, SEEK_SET)
    return .body(
      HTTPBodySequence(from: DescriptorBytes(fd: fd), count: size, suggestedBufferSize: 65536))
  }
}

/// Bytes read from a file descriptor that this sequence owns and closes.
struct DescriptorBytes: AsyncBufferedSequence, Sendable {
  typealias Element = UInt8
  let file: OwnedDescriptor

  init(fd: Int32) { file = OwnedDescriptor(fd) }

  func makeAsyncIterator() -> Iterator { Iterator(file: file) }

  struct Iterator: AsyncBufferedIteratorProtocol {
    let file: OwnedDescriptor

    mutating func next() async throws -> UInt8? {
      try await nextBuffer(suggested: 1)?.first
    }

    mutating func nextBuffer(suggested count: Int) async throws -> [UInt8]? {
      var buffer = [UInt8](repeating: 0, count: Swift.max(count, 1))
      let got = buffer.withUnsafeMutableBytes { read(file.fd, $0.baseAddress, $0.count) }
      guard got > 0 else { return nil }
      return Array(buffer.prefix(got))
    }
  }
}

final class OwnedDescriptor: Sendable {
  let fd: Int32
  init(_ fd: Int32) { self.fd = fd }
  deinit { close(fd) }
}
