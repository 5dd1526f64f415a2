import FoundationEssentials
import Glibc

/// Whether the process ids a dead run's record and journal name may be
/// acted on. Anyone who can write those files could name any process on
/// the machine (a pid and its start time are public in /proc), so a pid
/// alone proves nothing unless the files are this user's own and nobody
/// else can write them. Without that, only processes whose environment
/// names the run (`ORCHESTRATE_RUN_ID`) are taken for its leftovers.
package struct JournalTrust: Equatable {
  /// Why the files' process ids are not taken; nil when they are.
  package let distrust: String?

  package init(files: [String], user: uid_t = geteuid()) {
    distrust = files.lazy.compactMap { Self.problem(with: $0, user: user) }.first
  }

  package var trustsProcessIds: Bool { distrust == nil }

  /// A file that does not exist names nothing, and is no reason to doubt.
  private static func problem(with path: String, user: uid_t) -> String? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    let name = PathName.last(path)
    if info.st_mode & S_IFMT != S_IFREG { return "\(name) is not a regular file" }
    if info.st_uid != user {
      return "\(name) is owned by uid \(info.st_uid), not by uid \(user) who runs orchestrate"
    }
    if info.st_mode & 0o022 != 0 { return "\(name) can be written by other users" }
    return nil
  }
}
