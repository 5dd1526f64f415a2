import FoundationEssentials
import Glibc

enum FileSystem {
  /// `mkdir -p`; on failure, the directory that could not be made and why
  /// (FileManager's errors name neither precisely).
  static func makeDirectories(_ path: String) -> (path: String, reason: String)? {
    var info = stat()
    if stat(path, &info) == 0 {
      return info.st_mode & S_IFMT == S_IFDIR ? nil : (path, "a file of that name exists")
    }
    let parent = PathName.parent(path)
    if !parent.isEmpty, parent != path, let problem = makeDirectories(parent) { return problem }
    if mkdir(path, 0o755) != 0 && errno != EEXIST {
      return (path, String(cString: strerror(errno)))
    }
    return nil
  }
}

extension FileSystem {
  /// `rm -r` that never follows a symbolic link out of the tree; on failure,
  /// what could not be removed and why.
  static func removeTree(_ path: String) -> (path: String, reason: String)? {
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
  static func treeSize(_ path: String) -> Int64 {
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
  static func linkTarget(_ path: String) -> String? {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let length = readlink(path, &buffer, buffer.count - 1)
    guard length >= 0 else { return nil }
    return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// Makes the directory's entries (a rename, an unlink) durable.
  @discardableResult
  static func syncDirectory(_ path: String) -> Bool {
    let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    return fsync(fd) == 0
  }
}
