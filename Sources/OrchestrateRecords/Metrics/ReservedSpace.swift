import CProcessSupport
import FoundationEssentials
import Glibc

/// Disk set aside at run start for the run's final record, so that a run
/// whose tasks fill the disk still ends with a final record: a hidden file
/// beside the record (`.<run_id>.json.<pid>.reserve`) with its blocks
/// allocated. The final record is written into those blocks and renamed
/// over the record, with no new allocation needed on the way. Freeing the
/// file and writing anew would not do: ext4 hands freed blocks out again
/// only once its journal has committed.
package final class ReservedSpace: @unchecked Sendable {
  package let path: String
  private var fd: Int32
  private(set) var bytes: Int

  package struct Failure: Error, CustomStringConvertible {
    package var description: String
  }

  /// Reserves `bytes` for the final version of `target`.
  package init(for target: String, bytes: Int) throws(Failure) {
    path = TemporaryFileName.reserve(for: target)
    fd = FileSystem.openNew(path, O_RDWR)
    guard fd >= 0 else {
      throw Failure(description: "cannot create \(path): \(String(cString: strerror(errno)))")
    }
    self.bytes = 0
    if let reason = grow(to: bytes) {
      close(fd)
      unlink(path)
      throw Failure(
        description:
          "cannot reserve \(ByteCount.format(Int64(bytes))) for the run record in \(PathName.parent(path)): \(reason)"
      )
    }
  }

  deinit {
    if fd >= 0 {
      close(fd)
      unlink(path)
    }
  }

  /// Extends the reservation; the reason when the disk said no.
  @discardableResult
  package func grow(to wanted: Int) -> String? {
    guard fd >= 0, wanted > bytes else { return nil }
    let error = orchestrate_reserve_space(fd, Int64(wanted))
    if error == 0 {
      bytes = wanted
      return nil
    }
    // A file system that cannot reserve (EOPNOTSUPP) is written as before.
    if error == EOPNOTSUPP { return nil }
    return String(cString: strerror(error))
  }

  /// Writes `data` into the reserved blocks, trims the file to it, syncs it
  /// and renames it over `target`: the same guarantees as `AtomicFile`.
  /// The reservation is used up either way.
  package func writeFinal(_ data: Data, to target: String) throws(AtomicFile.WriteError) {
    defer {
      close(fd)
      fd = -1
    }
    func failure(_ call: String) -> AtomicFile.WriteError {
      let reason = "\(call): \(String(cString: strerror(errno)))"
      unlink(path)
      return AtomicFile.WriteError(path: target, reason: reason)
    }
    guard fd >= 0 else { throw AtomicFile.WriteError(path: target, reason: "no reserved space") }
    let written = data.withUnsafeBytes { buffer -> Bool in
      var offset = 0
      while offset < buffer.count {
        let n = pwrite(fd, buffer.baseAddress! + offset, buffer.count - offset, off_t(offset))
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return false }
        offset += n
      }
      return true
    }
    guard written else { throw failure("write") }
    guard ftruncate(fd, off_t(data.count)) == 0 else { throw failure("truncate") }
    guard fsync(fd) == 0 else { throw failure("fsync") }
    guard rename(path, target) == 0 else { throw failure("rename") }
  }
}
