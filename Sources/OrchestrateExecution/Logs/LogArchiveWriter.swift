import CArchive
import FoundationEssentials
import Glibc

/// Writes a run's log directory into one tar archive (pax restricted: plain
/// ustar unless a name or size needs more) through gzip or zstd, streaming
/// every file in fixed-size blocks. Entries are named `<top>/<relative path>`,
/// so `tar -xf` gives the run directory back.
enum LogArchiveWriter {
  /// Whether this libarchive can compress with zstd itself (it otherwise
  /// falls back to an external `zstd` program, which rotation does not use).
  static let supportsZstd: Bool = {
    guard let archive = archive_write_new() else { return false }
    defer { archive_write_free(archive) }
    return archive_write_add_filter_zstd(archive) == ARCHIVE_OK
  }()

  /// Writes the tree at `directory` to `fd` and returns the regular files it
  /// holds, as written (with checksums, to verify the archive against). `shouldStop` is asked between blocks.
  static func write(
    directory: String, as top: String, to fd: Int32, compression: LogCompression,
    shouldStop: () -> Bool
  ) throws(LogArchiveError) -> [ArchivedFile] {
    guard let archive = archive_write_new() else {
      throw LogArchiveError.cannotCreate("writer")
    }
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: LogArchive.blockSize, alignment: 16)
    var closed = false
    defer {
      // Freeing an open writer would flush a trailer after a failure; mark it failed first.
      if !closed { archive_write_fail(archive) }
      archive_write_free(archive)
      buffer.deallocate()
    }
    try configure(archive, compression: compression)
    guard archive_write_open_fd(archive, fd) == ARCHIVE_OK else {
      throw .libarchive(archive, "cannot start the archive")
    }
    let files = try withoutActuallyEscaping(shouldStop) { shouldStop throws(LogArchiveError) in
      var tree = Tree(archive: archive, buffer: buffer, shouldStop: shouldStop)
      try tree.add(directory, as: top)
      return tree.files
    }
    guard archive_write_close(archive) == ARCHIVE_OK else {
      throw .libarchive(archive, "cannot finish the archive")
    }
    closed = true
    return files
  }

  private static func configure(_ archive: OpaquePointer, compression: LogCompression)
    throws(LogArchiveError)
  {
    guard archive_write_set_format_pax_restricted(archive) == ARCHIVE_OK else {
      throw .libarchive(archive, "cannot select the tar format")
    }
    switch compression {
    case .gzip:
      guard archive_write_add_filter_gzip(archive) == ARCHIVE_OK else {
        throw .libarchive(archive, "cannot compress with gzip")
      }
      // The level gzip(1) uses by default: the size users expect of a .gz.
      _ = archive_write_set_filter_option(archive, "gzip", "compression-level", "6")
    case .zstd:
      guard supportsZstd, archive_write_add_filter_zstd(archive) == ARCHIVE_OK else {
        throw LogArchiveError(
          "this libarchive was built without zstd; set `compression: gzip` in the pipeline's "
            + "logs policy, or install a libarchive with zstd support")
      }
    }
    // Output goes to disk in large writes, and the last block is not padded
    // (padding is for tape drives).
    archive_write_set_bytes_per_block(archive, Int32(LogArchive.blockSize))
    archive_write_set_bytes_in_last_block(archive, 1)
  }

  /// Walks the tree depth first, in name order, so archives are reproducible.
  private struct Tree {
    let archive: OpaquePointer
    let buffer: UnsafeMutableRawPointer
    let shouldStop: () -> Bool
    var files: [ArchivedFile] = []

    mutating func add(_ path: String, as name: String) throws(LogArchiveError) {
      if shouldStop() { throw .stopped }
      var info = stat()
      guard lstat(path, &info) == 0 else { throw .system("cannot read \(path)") }
      switch info.st_mode & Glibc.S_IFMT {
      case Glibc.S_IFDIR:
        try writeHeader(name, info, type: Glibc.S_IFDIR, size: 0)
        let children: [String]
        do {
          children = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
          throw .system("cannot list \(path)", EACCES)
        }
        for child in children.sorted() { try add("\(path)/\(child)", as: "\(name)/\(child)") }
      case Glibc.S_IFREG:
        try addFile(path, as: name)
      case Glibc.S_IFLNK:
        guard let target = FileSystem.linkTarget(path) else {
          throw .system("cannot read the link \(path)")
        }
        try writeHeader(name, info, type: Glibc.S_IFLNK, size: 0) { entry in
          archive_entry_set_symlink_utf8(entry, target)
        }
      default:
        throw LogArchiveError("cannot archive \(path): not a file, directory or symbolic link")
      }
    }

    private mutating func addFile(_ path: String, as name: String) throws(LogArchiveError) {
      let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
      guard fd >= 0 else { throw .system("cannot open \(path)") }
      defer { close(fd) }
      var info = stat()
      guard fstat(fd, &info) == 0 else { throw .system("cannot read \(path)") }
      let size = Int64(info.st_size)
      try writeHeader(name, info, type: Glibc.S_IFREG, size: size)
      var remaining = size
      var checksum = Checksum()
      while remaining > 0 {
        if shouldStop() { throw .stopped }
        let count = read(fd, buffer, Int(min(Int64(LogArchive.blockSize), remaining)))
        if count < 0 && errno == EINTR { continue }
        guard count >= 0 else { throw .system("cannot read \(path)") }
        guard count > 0 else { throw LogArchiveError("\(path) shrank while being archived") }
        guard archive_write_data(archive, buffer, count) == count else {
          throw .libarchive(archive, "cannot write \(name) into the archive")
        }
        checksum.add(UnsafeRawBufferPointer(start: buffer, count: count))
        remaining -= Int64(count)
      }
      // A file still growing would lose its end when the directory is removed.
      var after = stat()
      guard fstat(fd, &after) == 0, after.st_size == info.st_size else {
        throw LogArchiveError("\(path) changed while being archived")
      }
      files.append(ArchivedFile(path: name, size: size, checksum: checksum.value))
    }

    private func writeHeader(
      _ name: String, _ info: stat, type: mode_t, size: Int64,
      extra: (OpaquePointer) -> Void = { _ in }
    ) throws(LogArchiveError) {
      guard let entry = archive_entry_new() else {
        throw LogArchiveError.cannotCreate("entry")
      }
      defer { archive_entry_free(entry) }
      archive_entry_set_pathname_utf8(entry, name)
      archive_entry_set_filetype(entry, UInt32(type))
      archive_entry_set_perm(entry, info.st_mode & 0o7777)
      archive_entry_set_size(entry, size)
      archive_entry_set_mtime(entry, info.st_mtim.tv_sec, info.st_mtim.tv_nsec)
      archive_entry_set_uid(entry, Int64(info.st_uid))
      archive_entry_set_gid(entry, Int64(info.st_gid))
      extra(entry)
      guard archive_write_header(archive, entry) >= ARCHIVE_WARN else {
        throw .libarchive(archive, "cannot add \(name) to the archive")
      }
    }
  }
}
