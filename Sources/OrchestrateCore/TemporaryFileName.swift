import Glibc

/// The hidden names under which records are written before they are
/// renamed into place. They carry the writer's pid, so a later run can tell
/// that the writer of a leftover is gone.
package enum TemporaryFileName {
  package static func temporary(for target: String, pid: pid_t = getpid()) -> String {
    hidden(target, pid: pid, suffix: "tmp")
  }

  package static func reserve(for target: String, pid: pid_t = getpid()) -> String {
    hidden(target, pid: pid, suffix: "reserve")
  }

  private static func hidden(_ target: String, pid: pid_t, suffix: String) -> String {
    let directory = PathName.parent(target)
    let name = PathName.last(target)
    return (directory.isEmpty ? "" : directory + "/") + ".\(name).\(pid).\(suffix)"
  }

  /// The writer's pid when `name` is such a file.
  package static func writer(of name: String) -> pid_t? {
    guard name.hasPrefix("."), name.hasSuffix(".tmp") || name.hasSuffix(".reserve") else {
      return nil
    }
    let parts = name.split(separator: ".")
    guard parts.count >= 3 else { return nil }
    return pid_t(parts[parts.count - 2])
  }
}
