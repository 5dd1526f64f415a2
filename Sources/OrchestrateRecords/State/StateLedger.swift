import FoundationEssentials
import Glibc

/// `changes.log`: one JSON line per change of a state's current version (a
/// run's commit, a rollback), appended and never rewritten, so who moved a
/// state back, when and why can be read with `cat` or `jq`.
public struct StateChange: Codable, Sendable, Equatable {
  public enum Action: String, Codable, Sendable {
    case commit
    case rollback
  }

  public var time: Date
  public var user: String
  public var action: Action
  /// The version that was current before; nil for a state's first.
  public var from: String?
  public var to: String
  /// The run that committed, or nil for a rollback.
  public var run: String?
  public var why: String?

  public init(
    time: Date, user: String, action: Action, from: String?, to: String, run: String? = nil,
    why: String? = nil
  ) {
    self.time = time
    self.user = user
    self.action = action
    self.from = from
    self.to = to
    self.run = run
    self.why = why
  }
}

package enum StateLedger {
  package static let fileName = "changes.log"

  /// Appends one line in a single write (O_APPEND), then fsyncs it.
  package static func append(_ change: StateChange, to path: String) throws(StateError) {
    let encoder = RecordCoding.encoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    guard var line = try? encoder.encode(change) else { throw StateError("cannot encode a change") }
    line.append(UInt8(ascii: "\n"))
    let fd = FileSystem.openOwn(path, O_WRONLY | O_APPEND)
    guard fd >= 0 else { throw .system("cannot open \(path)") }
    defer { close(fd) }
    let written = line.withUnsafeBytes { FileDescriptor.writeAll($0, to: fd) }
    guard written, fsync(fd) == 0 else { throw .system("cannot write \(path)") }
  }

  /// The changes recorded at `path`, oldest first; lines that do not read
  /// are passed over.
  package static func read(_ path: String) -> [StateChange] {
    guard case .contents(let data) = RecordCoding.readBounded(path) else { return [] }
    let decoder = RecordCoding.decoder()
    return data.split(separator: UInt8(ascii: "\n")).compactMap {
      try? decoder.decode(StateChange.self, from: Data($0))
    }
  }
}
