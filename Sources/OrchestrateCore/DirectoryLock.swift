import FoundationEssentials
import Glibc

/// An exclusive `flock` on a directory, waited for, held until `release()`:
/// for short critical sections shared between processes (a run lock's note,
/// a report's writers). The kernel drops it when the holder dies.
package struct DirectoryLock {
  private let fd: Int32

  package init(directory: String) {
    fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { return }
    while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
  }

  package func release() {
    guard fd >= 0 else { return }
    flock(fd, LOCK_UN)
    close(fd)
  }
}
