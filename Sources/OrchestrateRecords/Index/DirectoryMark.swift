import FoundationEssentials
import Glibc

/// Where a records directory stood when the status index was last checked
/// against it, kept as the index's last line. Every record is written by
/// renaming a temporary file into place and every removal unlinks one, and
/// both change the directory's change time: while it is the time the mark
/// holds and the mark is still the last line, the index holds every record
/// the directory does, and a read need neither list nor stat years of
/// records. A record edited in place, without a rename, is seen at the
/// directory's next change (the next run of the pipeline).
package struct DirectoryMark: Equatable {
  package var inode: UInt64
  /// The directory's change time, to the nanosecond: unlike the
  /// modification time, no program can set it back.
  package var changed: Int64

  /// The mark line's name field: no record is called that.
  static let name = "."

  package init(inode: UInt64, changed: Int64) {
    self.inode = inode
    self.changed = changed
  }

  /// The directory as it is now; nil when it cannot be examined.
  package static func of(_ directory: String) -> DirectoryMark? {
    var info = stat()
    guard stat(directory, &info) == 0 else { return nil }
    return DirectoryMark(
      inode: UInt64(info.st_ino),
      changed: Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec))
  }

  /// Whether a change after this mark is sure to show as another change
  /// time: a directory changed within the clock's resolution of `now`
  /// could change again and keep the same time.
  package func isSettled(now: Date) -> Bool {
    changed < Int64((now.timeIntervalSince1970 - 2) * 1e9)
  }

  package var line: String { "\(Self.name)\t\(inode)\t\(changed)" }

  /// The mark on the last line of `data`, an index file's bytes; nil when
  /// the last line is anything else, or incomplete.
  package static func last(in data: Data) -> DirectoryMark? {
    data.withUnsafeBytes { bytes -> DirectoryMark? in
      guard bytes.count > 1, bytes.last == UInt8(ascii: "\n"),
        let base = bytes.baseAddress
      else { return nil }
      // The last line starts after the newline before the final one; a
      // mark is short, so only its length is searched.
      let end = bytes.count - 1
      let limit = max(0, end - 64)
      var start = end
      while start > limit, bytes[start - 1] != UInt8(ascii: "\n") { start -= 1 }
      guard start == 0 || bytes[start - 1] == UInt8(ascii: "\n") else { return nil }
      var line = LineFields(UnsafeRawBufferPointer(start: base, count: bytes.count), from: start)
      guard let fields = line.next(), fields.count == 3, line.equals(fields[0], name),
        let inode = line.integer(fields[1]), inode >= 0, let changed = line.integer(fields[2])
      else { return nil }
      return DirectoryMark(inode: UInt64(inode), changed: changed)
    }
  }
}
