import FoundationEssentials
import Glibc

/// One run of a pipeline at a time: an exclusive `flock` on
/// `metrics/<pipeline>/.lock`. The kernel releases it when the holder dies,
/// so a killed run never leaves a stale lock behind.
///
/// The holder's note (which run, pid, since when) is written while a short
/// `flock` on the metrics directory (`DirectoryLock`) is held, and a loser
/// reads it under the same one: nobody sees the lock taken before its note is there.
public final class RunLock {
  public enum Failure: Error, CustomStringConvertible {
    /// Another process holds the lock; its note says which run.
    case held(pipeline: String, holder: String?)
    case unusable(path: String, reason: String)

    public var description: String {
      switch self {
      case .held(let pipeline, let holder):
        "another run of \(pipeline) is in progress" + (holder.map { ": \($0)" } ?? "")
      case .unusable(let path, let reason): "cannot lock \(path): \(reason)"
      }
    }
  }

  private let fd: Int32
  private let directory: String

  /// Takes the lock without waiting, then writes who holds it into the file.
  public init(path: String, pipeline: String, holder: String) throws(Failure) {
    directory = PathName.parent(path)
    let note = DirectoryLock(directory: directory)
    defer { note.release() }
    let fd = FileSystem.openOwn(path, O_RDWR)
    guard fd >= 0 else {
      let reason =
        errno == ELOOP
        ? "it is a symbolic link, which orchestrate never writes through (remove it)"
        : String(cString: strerror(errno))
      throw .unusable(path: path, reason: reason)
    }
    guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
      let reason = errno
      let note = Self.readNote(fd)
      close(fd)
      if reason == EWOULDBLOCK { throw .held(pipeline: pipeline, holder: note) }
      throw .unusable(path: path, reason: String(cString: strerror(reason)))
    }
    self.fd = fd
    ftruncate(fd, 0)
    FileDescriptor.writeAll(holder + "\n", to: fd)
  }

  deinit {
    let note = DirectoryLock(directory: directory)
    ftruncate(fd, 0)
    close(fd)
    note.release()
  }

  private static func readNote(_ fd: Int32) -> String? {
    var buffer = [UInt8](repeating: 0, count: 512)
    let count = pread(fd, &buffer, buffer.count, 0)
    guard count > 0 else { return nil }
    let note = String(decoding: buffer[..<count], as: UTF8.self)
      .trimmed
    return note.isEmpty ? nil : note
  }
}
