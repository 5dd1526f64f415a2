import Glibc

/// Messages of ours to stderr, written whole (a short write or EINTR
/// resumes), unbuffered: they must not wait in a buffer when the process is
/// about to end or be killed.
public enum StandardError {
  public static func write(_ text: String) {
    FileDescriptor.writeAll(text, to: STDERR_FILENO)
  }
}
