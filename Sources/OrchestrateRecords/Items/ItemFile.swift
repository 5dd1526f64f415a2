import FoundationEssentials
import Glibc

/// Reading the ledger's files: never through a planted link, in whole or
/// from an offset, and lines of a sorted file found by binary search.
package enum ItemFile {
  /// The bytes of `path` from `offset` to its end.
  package static func contents(_ path: String, from offset: Int64 = 0) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
    return read(fd, from: offset, count: Int(max(0, Int64(info.st_size) - offset)))
  }

  static func read(_ fd: Int32, from offset: Int64, count: Int) -> [UInt8] {
    guard count > 0 else { return [] }
    var buffer = [UInt8](repeating: 0, count: count)
    var done = 0
    while done < count {
      let n = buffer.withUnsafeMutableBytes {
        pread(fd, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done))
      }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { break }
      done += n
    }
    buffer.removeSubrange(done...)
    return buffer
  }
}

/// A file whose first `end` bytes are lines sorted by their first field
/// (bytewise), followed by anything: the snapshot's items, a segment's
/// index. Finds the lines of one key with about log2(size) reads.
struct SortedLines {
  let fd: Int32
  let end: Int64

  /// The lines whose first field is `key` (escaped as written), with their offsets.
  func lines(withKey key: [UInt8]) -> [(offset: Int64, line: [UInt8])] {
    var low: Int64 = 0
    var high = end
    // Narrow to a window small enough to read at once; `low` is always a
    // line start whose key is below `key` (or 0).
    while high - low > 4 << 10 {
      let middle = (low + high) / 2
      guard let start = lineStart(after: middle), start < high else { break }
      let probe = ItemFile.read(fd, from: start, count: min(key.count + 2, Int(end - start)))
      if Self.firstField(probe).lexicographicallyPrecedes(key) {
        low = start
      } else {
        high = start
      }
    }
    var found: [(Int64, [UInt8])] = []
    var buffer: [UInt8] = []
    // `buffer` holds the file's bytes from `bufferStart`; `from` is the
    // next line's index in it.
    var bufferStart = low
    var from = 0
    while bufferStart + Int64(from) < end {
      guard let newline = buffer[from...].firstIndex(of: UInt8(ascii: "\n")) else {
        let position = bufferStart + Int64(from)
        let more = ItemFile.read(
          fd, from: position + Int64(buffer.count - from),
          count: Int(min(4 << 10, end - position - Int64(buffer.count - from))))
        guard !more.isEmpty else { break }
        buffer = Array(buffer[from...]) + more
        bufferStart = position
        from = 0
        continue
      }
      let line = Array(buffer[from..<newline])
      let field = Self.firstField(line)
      if field == key[...] {
        found.append((bufferStart + Int64(from), line))
      } else if !field.lexicographicallyPrecedes(key) {
        break
      }
      from = newline + 1
    }
    return found
  }

  /// The start of the first line that begins after `offset`.
  private func lineStart(after offset: Int64) -> Int64? {
    var position = offset
    while position < end {
      let chunk = ItemFile.read(fd, from: position, count: Int(min(4096, end - position)))
      guard !chunk.isEmpty else { return nil }
      if let newline = chunk.firstIndex(of: UInt8(ascii: "\n")) {
        return position + Int64(newline) + 1
      }
      position += Int64(chunk.count)
    }
    return nil
  }

  static func firstField(_ line: some Collection<UInt8>) -> ArraySlice<UInt8> {
    let bytes = Array(line)
    let tab = bytes.firstIndex { $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") }
    return bytes[..<(tab ?? bytes.count)]
  }
}
