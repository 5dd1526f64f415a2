import FoundationEssentials
import Glibc

/// The files of a state directory, walked without following a link: the
/// task may leave symbolic links in its state, and they stay links (copied
/// as links, never read through), so a state cannot lead a copy, a sync or
/// a size outside itself.
package enum StateTree {
  /// Names in `directory`, dot names included (`.checksum` is state too).
  package static func names(in directory: String) -> [String]? {
    guard let handle = opendir(directory) else { return nil }
    defer { closedir(handle) }
    var names: [String] = []
    while let entry = readdir(handle) {
      let name = withUnsafePointer(to: entry.pointee.d_name) {
        $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names
  }

  /// Copies the tree at `source` into the existing, empty directory
  /// `target`: regular files byte for byte, directories, links as links;
  /// anything else (a socket, a fifo) is left out.
  package static func copy(_ source: String, into target: String) throws(StateError) {
    guard let names = names(in: source) else { throw .system("cannot list \(source)") }
    for name in names {
      let (from, to) = ("\(source)/\(name)", "\(target)/\(name)")
      var info = stat()
      guard lstat(from, &info) == 0 else { throw .system("cannot read \(from)") }
      switch info.st_mode & S_IFMT {
      case S_IFDIR:
        guard mkdir(to, FileSystem.directoryMode(in: target)) == 0 else {
          throw .system("cannot create \(to)")
        }
        try copy(from, into: to)
      case S_IFREG:
        try copyFile(from, to: to, executable: info.st_mode & S_IXUSR != 0)
      case S_IFLNK:
        guard let link = FileSystem.linkTarget(from), symlink(link, to) == 0 else {
          throw .system("cannot copy the link \(from)")
        }
      default:
        continue
      }
    }
  }

  private static func copyFile(_ from: String, to: String, executable: Bool) throws(StateError) {
    let input = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard input >= 0 else { throw .system("cannot read \(from)") }
    defer { close(input) }
    let output = FileSystem.openNew(to, O_WRONLY)
    guard output >= 0 else { throw .system("cannot create \(to)") }
    defer { close(output) }
    if executable { fchmod(output, FileSystem.fileMode(in: PathName.parent(to)) | S_IXUSR) }
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
      if count == 0 { return }
      if count < 0 {
        if errno == EINTR { continue }
        throw .system("cannot read \(from)")
      }
      let written = buffer.withUnsafeBytes {
        FileDescriptor.writeAll(UnsafeRawBufferPointer(rebasing: $0[..<count]), to: output)
      }
      guard written else { throw .system("cannot write \(to)") }
    }
  }

  /// Every file and directory of the tree on disk (fsync), so that the
  /// rename that commits it never publishes a name whose bytes are not.
  package static func sync(_ path: String) throws(StateError) {
    guard let names = names(in: path) else { throw .system("cannot list \(path)") }
    for name in names {
      let child = "\(path)/\(name)"
      var info = stat()
      guard lstat(child, &info) == 0 else { throw .system("cannot read \(child)") }
      switch info.st_mode & S_IFMT {
      case S_IFDIR: try sync(child)
      case S_IFREG:
        let fd = open(child, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw .system("cannot open \(child)") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .system("cannot sync \(child)") }
      default: continue
      }
    }
    guard FileSystem.syncDirectory(path) else { throw .system("cannot sync \(path)") }
  }

  /// A file of a state, relative to its version's directory.
  package struct File: Sendable, Equatable {
    package var path: String
    package var sizeBytes: Int64
    /// `file`, `directory`, `link` or `other`.
    package var kind: String
  }

  /// The tree's entries in name order, directories before what they hold.
  package static func files(in root: String, prefix: String = "") -> [File] {
    var found: [File] = []
    for name in (names(in: root) ?? []).sorted() {
      let path = "\(root)/\(name)"
      let relative = prefix.isEmpty ? name : "\(prefix)/\(name)"
      var info = stat()
      guard lstat(path, &info) == 0 else { continue }
      switch info.st_mode & S_IFMT {
      case S_IFDIR:
        found.append(File(path: relative, sizeBytes: 0, kind: "directory"))
        found += files(in: path, prefix: relative)
      case S_IFREG: found.append(File(path: relative, sizeBytes: Int64(info.st_size), kind: "file"))
      case S_IFLNK: found.append(File(path: relative, sizeBytes: 0, kind: "link"))
      default: found.append(File(path: relative, sizeBytes: 0, kind: "other"))
      }
    }
    return found
  }
}
