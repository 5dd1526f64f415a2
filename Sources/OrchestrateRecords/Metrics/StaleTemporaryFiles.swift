import FoundationEssentials
import Glibc

/// Temporary record files (`.<name>.<pid>.tmp`, `.<name>.<pid>.reserve`)
/// that a writer killed mid-write left behind. Only files whose name says
/// they are orchestrate's and whose writer is proven gone are removed: no
/// process has that pid, or the one that has it started after the file was
/// last written (the pid was reused).
package enum StaleTemporaryFiles {
  /// Removes them from `directory`; returns the names removed.
  @discardableResult
  package static func remove(in directory: String) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    var removed: [String] = []
    for name in names {
      guard let writer = TemporaryFileName.writer(of: name), writer != getpid() else { continue }
      let path = "\(directory)/\(name)"
      var info = stat()
      guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid(),
        isGone(writer, since: Double(info.st_mtim.tv_sec))
      else { continue }
      if unlink(path) == 0 { removed.append(name) }
    }
    return removed
  }

  private static func isGone(_ pid: pid_t, since written: Double) -> Bool {
    if kill(pid, 0) != 0 && errno == ESRCH { return true }
    guard let started = ProcessIdentity.startDate(of: pid) else { return false }
    // Start times are known to the clock tick, boot time to the second.
    return started.timeIntervalSince1970 > written + 1
  }
}
