import CArchive
import FoundationEssentials
import Glibc

/// Reads a run archive (tar through gzip or zstd) entry by entry, streaming
/// each entry's data in fixed-size blocks.
final class LogArchiveReader {
  struct Entry {
    /// The path inside the archive: `<run_id>/<file>`.
    var path: String
    var size: Int64
    var isRegularFile: Bool
  }

  let path: String
  private let archive: OpaquePointer
  private let buffer: UnsafeMutableRawPointer

  init(path: String) throws(LogArchiveError) {
    guard let archive = archive_read_new() else {
      throw LogArchiveError.cannotCreate("reader")
    }
    self.path = path
    self.archive = archive
    buffer = .allocate(byteCount: LogArchive.blockSize, alignment: 16)
    archive_read_support_filter_gzip(archive)
    archive_read_support_filter_zstd(archive)
    archive_read_support_format_tar(archive)
    guard archive_read_open_filename(archive, path, LogArchive.blockSize) == ARCHIVE_OK else {
      throw .libarchive(archive, "cannot read \(path)")
    }
  }

  deinit {
    archive_read_free(archive)
    buffer.deallocate()
  }

  /// The next entry, or nil at the end of the archive.
  func nextEntry() throws(LogArchiveError) -> Entry? {
    var entry: OpaquePointer?
    let status = archive_read_next_header(archive, &entry)
    if status == ARCHIVE_EOF { return nil }
    guard status >= ARCHIVE_WARN, let entry else {
      throw .libarchive(archive, "cannot read \(path)")
    }
    let name = archive_entry_pathname_utf8(entry) ?? archive_entry_pathname(entry)
    return Entry(
      path: name.map { String(cString: $0) } ?? "",
      size: archive_entry_size(entry),
      isRegularFile: archive_entry_filetype(entry) == UInt32(Glibc.S_IFREG))
  }

  /// Decompresses the current entry's data, handing it to `sink` a block at a
  /// time; returns how many bytes there were.
  @discardableResult
  func readData(into sink: (UnsafeRawBufferPointer) throws(LogArchiveError) -> Void = { _ in })
    throws(LogArchiveError) -> Int64
  {
    var total: Int64 = 0
    while true {
      let count = archive_read_data(archive, buffer, LogArchive.blockSize)
      if count == 0 { return total }
      guard count > 0 else { throw .libarchive(archive, "cannot read \(path)") }
      try sink(UnsafeRawBufferPointer(start: buffer, count: count))
      total += Int64(count)
    }
  }

  /// Every regular file in the archive with the size and checksum of the
  /// bytes actually read back: reading all of it is what proves it whole
  /// (libarchive does not check gzip's own CRC).
  static func readableFiles(of path: String) throws(LogArchiveError) -> [ArchivedFile] {
    let reader = try LogArchiveReader(path: path)
    var files: [ArchivedFile] = []
    while let entry = try reader.nextEntry() {
      var checksum = Checksum()
      let read = try reader.readData { checksum.add($0) }
      if entry.isRegularFile {
        files.append(ArchivedFile(path: entry.path, size: read, checksum: checksum.value))
      }
    }
    return files
  }
}
