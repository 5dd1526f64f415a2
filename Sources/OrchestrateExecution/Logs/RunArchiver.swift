import FoundationEssentials
import Glibc

/// Turns one run's log directory into one archive beside it. Every step is
/// ordered so that a crash at any point leaves the directory, or the
/// complete archive, or both — never neither: the archive is written under
/// a temporary name, synced, renamed, synced into its directory and read
/// back, and only then is the directory removed.
enum RunArchiver {
  struct Archived: Equatable {
    /// Absolute path of the archive.
    var archive: String
    var bytesBefore: Int64
    var bytesAfter: Int64
  }

  @discardableResult
  static func archive(
    directory: String, compression: LogCompression, shouldStop: () -> Bool = { false }
  ) throws(LogArchiveError) -> Archived {
    let parent = PathName.parent(directory)
    let run = PathName.last(directory)
    let name = LogArchive.fileName(run: run, compression: compression)
    let archive = "\(parent)/\(name)"
    let temporary = "\(parent)/\(LogArchive.temporaryName(of: name))"

    var directoryInfo = stat()
    guard stat(directory, &directoryInfo) == 0 else { throw .system("cannot read \(directory)") }
    unlink(temporary)
    let fd = FileSystem.openNew(temporary, O_WRONLY)
    guard fd >= 0 else { throw .system("cannot create \(temporary)") }
    let files: [ArchivedFile]
    do throws(LogArchiveError) {
      files = try LogArchiveWriter.write(
        directory: directory, as: run, to: fd, compression: compression, shouldStop: shouldStop)
      guard fsync(fd) == 0 else { throw LogArchiveError.system("cannot sync \(temporary)") }
      // The archive keeps the run's age for names that carry no start time.
      var times = [directoryInfo.st_atim, directoryInfo.st_mtim]
      futimens(fd, &times)
      guard close(fd) == 0 else { throw LogArchiveError.system("cannot write \(temporary)") }
    } catch {
      close(fd)
      unlink(temporary)
      throw error
    }
    guard rename(temporary, archive) == 0 else {
      let failure = LogArchiveError.system("cannot rename \(temporary) to \(name)")
      unlink(temporary)
      throw failure
    }
    FileSystem.syncDirectory(parent)

    do throws(LogArchiveError) {
      let readBack = try LogArchiveReader.readableFiles(of: archive)
      guard readBack == files else {
        throw LogArchiveError("\(archive) does not read back as written")
      }
    } catch {
      // The directory is still the complete copy; a bad archive must not replace it.
      unlink(archive)
      FileSystem.syncDirectory(parent)
      throw error
    }
    try removeDirectory(directory, archivedIn: archive)
    var archiveInfo = stat()
    stat(archive, &archiveInfo)
    return Archived(
      archive: archive, bytesBefore: files.reduce(0) { $0 + $1.size },
      bytesAfter: Int64(archiveInfo.st_size))
  }

  enum Settlement: Equatable {
    /// The archive was whole and held every file: the directory is gone.
    case directoryRemoved(archive: String)
    /// The archive could not be read back, so it was written again.
    case archivedAgain(Archived, reason: String)
  }

  /// Finishes what a stopped rotation began when both the directory and the
  /// archive exist. The archive only ever appears complete (renamed after
  /// sync), and the directory only starts losing files after the archive has
  /// read back; so a readable archive holding every file left in the
  /// directory, byte for byte, means the directory can go, and an unreadable one means the
  /// directory is whole and is archived again.
  static func settle(directory: String, archive: String, shouldStop: () -> Bool = { false })
    throws(LogArchiveError) -> Settlement
  {
    let archived: [ArchivedFile]
    do {
      archived = try LogArchiveReader.readableFiles(of: archive)
    } catch {
      let compression =
        LogArchive.parse(fileName: PathName.last(archive))?
        .compression ?? .gzip
      guard unlink(archive) == 0 else { throw .system("cannot remove \(archive)") }
      let again = try Self.archive(
        directory: directory, compression: compression, shouldStop: shouldStop)
      return .archivedAgain(again, reason: error.description)
    }
    let inArchive = Dictionary(archived.map { ($0.path, $0) }) { first, _ in first }
    let run = PathName.last(directory)
    let parent = PathName.parent(directory)
    for file in regularFiles(under: directory, as: run) {
      guard let archivedFile = inArchive[file.path], archivedFile.size == file.size,
        try archivedFile.checksum == Checksum.ofFile("\(parent)/\(file.path)")
      else {
        throw LogArchiveError(
          "both \(directory) and \(archive) exist and \(file.path) differs between them; "
            + "left both for a person to compare")
      }
    }
    try removeDirectory(directory, archivedIn: archive)
    return .directoryRemoved(archive: archive)
  }

  private static func removeDirectory(_ directory: String, archivedIn archive: String)
    throws(LogArchiveError)
  {
    if let problem = FileSystem.removeTree(directory) {
      throw LogArchiveError(
        "archived in \(archive), but cannot remove \(problem.path): \(problem.reason)")
    }
    FileSystem.syncDirectory(PathName.parent(directory))
  }

  /// The regular files of a tree, named as the archive names them.
  static func regularFiles(under path: String, as name: String) -> [ArchivedFile] {
    var info = stat()
    guard lstat(path, &info) == 0 else { return [] }
    switch info.st_mode & S_IFMT {
    case S_IFREG: return [ArchivedFile(path: name, size: Int64(info.st_size))]
    case S_IFDIR:
      let children = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
      return children.sorted().flatMap { regularFiles(under: "\(path)/\($0)", as: "\(name)/\($0)") }
    default: return []
    }
  }
}
