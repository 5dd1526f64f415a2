import FoundationEssentials
import Glibc

/// Whole-file replacement that a reader never sees half done, and that keeps
/// the previous version when the disk is full: write a temporary file in the
/// same directory, fsync it, rename it over the target.
public enum AtomicFile {
  public struct WriteError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "cannot write \(path): \(reason)" }

    package init(path: String, reason: String) {
      self.path = path
      self.reason = reason
    }
  }

  public static func write(_ data: Data, to path: String) throws(WriteError) {
    let temporary = TemporaryFileName.temporary(for: path)
    func failure(_ call: String) -> WriteError {
      WriteError(path: path, reason: "\(call): \(String(cString: strerror(errno)))")
    }
    let fd = FileSystem.openNew(temporary, O_WRONLY)
    guard fd >= 0 else { throw failure("open") }
    let ok = data.withUnsafeBytes { FileDescriptor.writeAll($0, to: fd) }
    if !ok || fsync(fd) != 0 {
      let error = failure(ok ? "fsync" : "write")
      close(fd)
      unlink(temporary)
      throw error
    }
    close(fd)
    guard rename(temporary, path) == 0 else {
      let error = failure("rename")
      unlink(temporary)
      throw error
    }
  }
}
