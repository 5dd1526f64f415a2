import FoundationEssentials
import Glibc

/// PATH lookup done by us rather than by `posix_spawnp`, which would search the
/// orchestrator's PATH instead of the task's and report "not found" vaguely.
package enum ExecutableLookup {
  package enum Failure: Error, CustomStringConvertible {
    case notFound(String, path: String)
    case notExecutable(String)

    package var description: String {
      switch self {
      // The one environment value a record holds: without it, "not found"
      // at night cannot be told from a PATH that cron set differently.
      case .notFound(let name, let path): "command not found: \(name) (searched PATH=\(path))"
      case .notExecutable(let path): "not an executable file: \(path)"
      }
    }
  }

  /// The program to execute for `name`: itself when it holds a slash
  /// (resolved against `directory` when relative), else the first executable
  /// file of that name in `searchPath`.
  package static func resolve(_ name: String, searchPath: String, directory: String) throws(Failure)
    -> String
  {
    if name.contains("/") {
      let path = name.hasPrefix("/") ? name : "\(directory)/\(name)"
      guard isExecutableFile(path) else { throw .notExecutable(name) }
      return path
    }
    for entry in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
      let base =
        entry.isEmpty ? directory : entry.hasPrefix("/") ? String(entry) : "\(directory)/\(entry)"
      let candidate = "\(base)/\(name)"
      if isExecutableFile(candidate) { return candidate }
    }
    throw .notFound(name, path: searchPath)
  }

  private static func isExecutableFile(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG && access(path, X_OK) == 0
  }
}

/// What `ExecutableLookup` found and which directories exist, remembered for
/// the run: a pipeline of many tasks runs the same few programs, and each
/// lookup costs a stat and an access per PATH entry. Used from the
/// scheduler's queue only. A program or directory removed mid-run still
/// fails its task at spawn, which then clears the cache.
package final class ProgramCache: @unchecked Sendable {
  private var programs: [ProgramKey: String] = [:]
  private var directories = Set<String>()

  private struct ProgramKey: Hashable {
    var name: String
    var searchPath: String
    var directory: String
  }

  package init() {}

  package func resolve(_ name: String, searchPath: String, directory: String)
    throws(ExecutableLookup
    .Failure)
    -> String
  {
    let key = ProgramKey(name: name, searchPath: searchPath, directory: directory)
    if let known = programs[key] { return known }
    let path = try ExecutableLookup.resolve(name, searchPath: searchPath, directory: directory)
    programs[key] = path
    return path
  }

  package func isDirectory(_ path: String) -> Bool {
    if directories.contains(path) { return true }
    var info = stat()
    guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { return false }
    directories.insert(path)
    return true
  }

  package func forget() {
    programs.removeAll()
    directories.removeAll()
  }
}
