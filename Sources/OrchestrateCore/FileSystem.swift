import FoundationEssentials
import Glibc

package enum FileSystem {
  /// `mkdir -p`; on failure, the directory that could not be made and why
  /// (FileManager's errors name neither precisely).
  package static func makeDirectories(_ path: String) -> (path: String, reason: String)? {
    var info = stat()
    if stat(path, &info) == 0 {
      return info.st_mode & S_IFMT == S_IFDIR ? nil : (path, "a file of that name exists")
    }
    let parent = PathName.parent(path)
    if !parent.isEmpty, parent != path, let problem = makeDirectories(parent) { return problem }
    if mkdir(path, directoryMode(in: parent.isEmpty ? "." : parent)) != 0 && errno != EEXIST {
      return (path, String(cString: strerror(errno)))
    }
    return nil
  }
}

/// Opening files under the root as another user could have prepared them:
/// a symbolic link planted at a name orchestrate is about to write would
/// make a run (often root's) write wherever it points. Every file is opened
/// with O_NOFOLLOW; a file that must be new is created with O_EXCL, after
/// removing whatever has its name (unlink removes a link, not its target).
extension FileSystem {
  /// A file of orchestrate's own, created if missing, never through a link.
  package static func openOwn(_ path: String, _ flags: Int32) -> Int32 {
    open(path, flags | O_CREAT | O_NOFOLLOW | O_CLOEXEC, fileMode(in: PathName.parent(path)))
  }

  /// A new file at `path`: what had that name (a leftover of a process with
  /// the same pid, or a planted link) is removed first, and the file made
  /// with O_EXCL, so the descriptor is of a file this call created.
  package static func openNew(_ path: String, _ flags: Int32) -> Int32 {
    let mode = fileMode(in: PathName.parent(path))
    let fd = open(path, flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
    guard fd < 0, errno == EEXIST, unlink(path) == 0 else { return fd }
    return open(path, flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
  }

  /// The mode of a new file in `directory`: read and write for its owner,
  /// and read for whoever may read the folder, so the folders of a
  /// pipeline (`files.readable_by`) decide who reads every file in them.
  /// The umask still applies.
  package static func fileMode(in directory: String) -> mode_t {
    var info = stat()
    guard stat(directory, &info) == 0 else { return 0o600 }
    return 0o600 | (info.st_mode & 0o044)
  }

  /// The mode of a new directory in `parent`, by the same rule.
  package static func directoryMode(in parent: String) -> mode_t {
    var info = stat()
    guard stat(parent, &info) == 0 else { return 0o700 }
    return 0o700 | (info.st_mode & 0o055)
  }

  /// Gives `directory` the read and search bits `readers` calls for, keeping
  /// its other bits; on failure, why (a folder of another user, say).
  package static func setReaders(of directory: String, to readers: FileReaders) -> String? {
    var info = stat()
    guard lstat(directory, &info) == 0 else { return String(cString: strerror(errno)) }
    let current = info.st_mode & 0o7777
    let wanted = (current & ~0o055) | (readers.directoryMode & 0o055)
    guard wanted != current else { return nil }
    return chmod(directory, wanted) == 0 ? nil : String(cString: strerror(errno))
  }

  /// Why orchestrate will not write into `path`, one of its own directories
  /// under the root (metrics/, logs/ and a pipeline's folder in them), or
  /// nil: a symbolic link there could lead anywhere, and a directory every
  /// user can write (without the sticky bit) lets anyone plant names in it.
  package static func untrustedDirectory(_ path: String, othersMayWrite: Bool = false) -> String? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return String(cString: strerror(errno)) }
    switch info.st_mode & S_IFMT {
    case S_IFLNK: return "is a symbolic link, not a directory of orchestrate's own"
    case S_IFDIR: break
    default: return "is not a directory"
    }
    if info.st_mode & S_IWOTH != 0 && info.st_mode & S_ISVTX == 0 && !othersMayWrite {
      return "can be written by every user (mode \(String(info.st_mode & 0o7777, radix: 8))); "
        + "chmod o-w it, or set files.others_may_write if that is intended"
    }
    return nil
  }
}

extension FileSystem {
  /// `rm -r` that never follows a symbolic link out of the tree; on failure,
  /// what could not be removed and why.
  package static func removeTree(_ path: String) -> (path: String, reason: String)? {
    var info = stat()
    guard lstat(path, &info) == 0 else {
      return errno == ENOENT ? nil : (path, String(cString: strerror(errno)))
    }
    if info.st_mode & S_IFMT == S_IFDIR {
      let children: [String]
      do {
        children = try FileManager.default.contentsOfDirectory(atPath: path)
      } catch {
        return (path, "cannot list the directory")
      }
      for child in children {
        if let problem = removeTree("\(path)/\(child)") { return problem }
      }
      if rmdir(path) != 0 { return (path, String(cString: strerror(errno))) }
    } else if unlink(path) != 0 {
      return (path, String(cString: strerror(errno)))
    }
    return nil
  }

  /// Bytes of the regular files in a tree (a plain file: its own size).
  package static func treeSize(_ path: String) -> Int64 {
    var info = stat()
    guard lstat(path, &info) == 0 else { return 0 }
    guard info.st_mode & S_IFMT == S_IFDIR else {
      return info.st_mode & S_IFMT == S_IFREG ? Int64(info.st_size) : 0
    }
    let children = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    return children.reduce(0) { $0 + treeSize("\(path)/\($1)") }
  }

  /// Where a symbolic link points, as written in it; nil when `path` is not
  /// a link or cannot be read.
  package static func linkTarget(_ path: String) -> String? {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let length = readlink(path, &buffer, buffer.count - 1)
    guard length >= 0 else { return nil }
    return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// Makes the directory's entries (a rename, an unlink) durable.
  @discardableResult
  package static func syncDirectory(_ path: String) -> Bool {
    let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    return fsync(fd) == 0
  }

  /// What `take` makes of each visible entry of `directory` (a leading dot
  /// hides a name) and its `stat`, in the directory's own order, read with
  /// plain system calls: status lists thousands of records this way on every
  /// call. `named` passes over a name before its `stat` is asked for.
  package static func entries<Entry>(
    of directory: String, named: (String) -> Bool = { _ in true },
    _ take: (_ name: String, _ info: stat) -> Entry?
  ) -> [Entry] {
    guard let handle = opendir(directory) else { return [] }
    defer { closedir(handle) }
    let descriptor = dirfd(handle)
    var found: [Entry] = []
    while let entry = readdir(handle) {
      let name = withUnsafePointer(to: entry.pointee.d_name) {
        $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
      }
      guard !name.hasPrefix("."), named(name) else { continue }
      var info = stat()
      guard fstatat(descriptor, name, &info, 0) == 0, let taken = take(name, info) else {
        continue
      }
      found.append(taken)
    }
    return found
  }
}
