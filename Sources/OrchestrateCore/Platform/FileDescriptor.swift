import Glibc

/// Writing to a descriptor until everything is written: a short write or an
/// EINTR resumes where it stopped, so a message or a log never ends early.
public enum FileDescriptor {
  /// Whether every byte was written.
  @discardableResult
  public static func writeAll(_ bytes: UnsafeRawBufferPointer, to fd: Int32) -> Bool {
    var offset = 0
    while offset < bytes.count {
      let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { return false }
      offset += n
    }
    return true
  }

  @discardableResult
  public static func writeAll(_ text: String, to fd: Int32) -> Bool {
    var text = text
    return text.withUTF8 { writeAll(UnsafeRawBufferPointer($0), to: fd) }
  }
}
