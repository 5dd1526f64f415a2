import FoundationEssentials
import Glibc

/// One run's events, append-only: `items/segments/<run_id>.events`. Each
/// attempt's events are written at the attempt's end in one `write`, ending
/// with a commit line that counts them; a reader takes only committed
/// blocks, so a writer killed mid-write leaves nothing half there.
///
///     E <item> <stage> <status> <at ms> <task> <attempt> <error> <size> <source> <attrs>
///     C <task> <attempt> <count>
package enum ItemSegment {
  package static let suffix = ".events"
  package static let indexSuffix = ".index"

  package static func name(run: String) -> String { run + suffix }

  /// The run a segment's file name belongs to.
  package static func run(ofFile name: String) -> String? {
    guard name.hasSuffix(suffix), !name.hasPrefix(".") else { return nil }
    return String(name.dropLast(suffix.count))
  }

  package static func block(_ events: [ItemEvent], task: String, attempt: Int) -> String {
    var text = ""
    text.reserveCapacity(events.count * 80 + 64)
    for event in events { text += line(event) }
    text += "C\t\(ItemText.escape(task))\t\(attempt)\t\(events.count)\n"
    return text
  }

  static func line(_ event: ItemEvent) -> String {
    var text = "E\t"
    text += ItemText.escape(event.item)
    text += "\t"
    text += event.stage
    text += "\t"
    text += event.status.rawValue
    text += "\t\(event.at)\t"
    text += ItemText.escape(event.task)
    text += "\t\(event.attempt)\t"
    text += event.error.map(ItemText.escape) ?? ""
    text += "\t"
    text += event.size.map { $0 == $0.rounded() && abs($0) < 1e15 ? "\(Int64($0))" : "\($0)" } ?? ""
    text += "\t"
    text += event.source.map(ItemText.escape) ?? ""
    text += "\t"
    text += event.attrs.map(ItemText.escape) ?? ""
    text += "\n"
    return text
  }

  /// An event line (without `E\t` checked) of the segment of `run`.
  static func event(_ line: Substring, run: String) -> ItemEvent? {
    let fields = ItemText.fields(line)
    guard fields.count == 11, fields[0] == "E",
      let status = ItemStatus(rawValue: String(fields[3])),
      let at = Int64(fields[4]), let attempt = Int(fields[6])
    else { return nil }
    return ItemEvent(
      item: ItemText.unescape(fields[1]), stage: String(fields[2]), status: status, at: at,
      run: run, task: ItemText.unescape(fields[5]), attempt: attempt,
      error: ItemText.optional(fields[7]), size: fields[8].isEmpty ? nil : Double(fields[8]),
      source: ItemText.optional(fields[9]), attrs: ItemText.optional(fields[10]))
  }

  /// What a segment holds from `offset` on: its committed events with the
  /// offset of each line, the attempts committed, and where the last
  /// committed block ends (what a snapshot may say it covers).
  package struct Read {
    package var events: [(offset: Int64, event: ItemEvent)] = []
    package var attempts = Set<AttemptKey>()
    package var end: Int64
  }

  package struct AttemptKey: Hashable, Sendable {
    package var task: String
    package var attempt: Int

    package init(task: String, attempt: Int) {
      self.task = task
      self.attempt = attempt
    }
  }

  package static func read(path: String, run: String, from offset: Int64 = 0) -> Read {
    var result = Read(end: offset)
    guard let bytes = ItemFile.contents(path, from: offset) else { return result }
    let text = String(decoding: bytes, as: UTF8.self)
    var pending: [(offset: Int64, event: ItemEvent)] = []
    var position = offset
    var lineStart = text.utf8.startIndex
    let utf8 = text.utf8
    while let newline = utf8[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
      let line = Substring(utf8[lineStart..<newline])
      let length = Int64(utf8.distance(from: lineStart, to: newline)) + 1
      if line.hasPrefix("E\t") {
        if let event = event(line, run: run) { pending.append((position, event)) }
      } else if line.hasPrefix("C\t") {
        let fields = ItemText.fields(line)
        if fields.count == 4, let attempt = Int(fields[2]), let count = Int(fields[3]),
          count == pending.count
        {
          result.events += pending
          result.attempts.insert(AttemptKey(task: ItemText.unescape(fields[1]), attempt: attempt))
          result.end = position + length
        }
        pending.removeAll()
      }
      position += length
      lineStart = utf8.index(after: newline)
    }
    return result
  }
}

/// Appends committed blocks to one run's segment. Not thread-safe: used
/// from the scheduler's queue.
package final class ItemSegmentWriter: @unchecked Sendable {
  package let path: String
  private var fd: Int32 = -1

  package init(path: String) {
    self.path = path
  }

  deinit { if fd >= 0 { close(fd) } }

  /// Appends one attempt's events and their commit line in one write;
  /// the error's text when it could not.
  @discardableResult
  package func commit(_ events: [ItemEvent], task: String, attempt: Int) -> String? {
    guard !events.isEmpty else { return nil }
    if fd < 0 {
      if let problem = FileSystem.makeDirectories(PathName.parent(path)) {
        return "cannot create \(problem.path): \(problem.reason)"
      }
      fd = FileSystem.openOwn(path, O_WRONLY | O_APPEND)
      guard fd >= 0 else { return "cannot open \(path): \(String(cString: strerror(errno)))" }
    }
    let text = ItemSegment.block(events, task: task, attempt: attempt)
    return FileDescriptor.writeAll(text, to: fd)
      ? nil : "cannot write \(path): \(String(cString: strerror(errno)))"
  }
}
