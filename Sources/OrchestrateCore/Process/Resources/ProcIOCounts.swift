/// Bytes a process (with the children it has waited for) caused to be read
/// from and written to storage, from `/proc/PID/io`: `read_bytes`, and
/// `write_bytes` less `cancelled_write_bytes` (data dirtied, then truncated
/// before it reached the disk). These are the counters wait4 reports as
/// `ru_inblock` and `ru_oublock`, in bytes rather than 512-byte blocks.
/// `rchar` and `wchar` (every read and write call, pipes and terminals
/// included) are left out: they say how busy a process is, not what it cost
/// the disks.
package struct ProcIOCounts: Equatable, Sendable {
  package var readBytes: UInt64
  package var writeBytes: UInt64

  package init(readBytes: UInt64, writeBytes: UInt64) {
    self.readBytes = readBytes
    self.writeBytes = writeBytes
  }

  /// Reads the counts from the text of an io file; nil without both
  /// `read_bytes` and `write_bytes`.
  package static func parse(_ text: UnsafeBufferPointer<UInt8>) -> ProcIOCounts? {
    var read: UInt64?
    var written: UInt64?
    var cancelled: UInt64 = 0
    var lineStart = 0
    while lineStart < text.count {
      var lineEnd = lineStart
      while lineEnd < text.count && text[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
      if let colon = (lineStart..<lineEnd).first(where: { text[$0] == UInt8(ascii: ":") }) {
        var value: UInt64 = 0
        for index in (colon + 1)..<lineEnd where text[index] >= 48 && text[index] <= 57 {
          value = value &* 10 &+ UInt64(text[index] - 48)
        }
        let key = UnsafeBufferPointer(rebasing: text[lineStart..<colon])
        if key.elementsEqual("read_bytes".utf8) {
          read = value
        } else if key.elementsEqual("write_bytes".utf8) {
          written = value
        } else if key.elementsEqual("cancelled_write_bytes".utf8) {
          cancelled = value
        }
      }
      lineStart = lineEnd + 1
    }
    guard let read, let written else { return nil }
    return .init(readBytes: read, writeBytes: written > cancelled ? written - cancelled : 0)
  }
}
