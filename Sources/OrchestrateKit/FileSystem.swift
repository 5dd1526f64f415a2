import Foundation

enum FileSystem {
  /// `mkdir -p`; on failure, the directory that could not be made and why
  /// (FileManager's errors name neither precisely).
  static func makeDirectories(_ path: String) -> (path: String, reason: String)? {
    var info = stat()
    if stat(path, &info) == 0 {
      return info.st_mode & S_IFMT == S_IFDIR ? nil : (path, "a file of that name exists")
    }
    let parent = (path as NSString).deletingLastPathComponent
    if !parent.isEmpty, parent != path, let problem = makeDirectories(parent) { return problem }
    if mkdir(path, 0o755) != 0 && errno != EEXIST {
      return (path, String(cString: strerror(errno)))
    }
    return nil
  }
}
