import FoundationEssentials
import Glibc

/// An error as one line for people: for file system errors, the system's
/// reason and the path (`/etc/x: Permission denied`), not the error's dump.
public enum ErrorText {
  public static func describe(_ error: any Error) -> String {
    if let cocoa = error as? CocoaError {
      let reason =
        (cocoa.underlying as? POSIXError).map { String(cString: strerror($0.code.rawValue)) }
        ?? "error \(cocoa.code.rawValue)"
      return cocoa.filePath.map { "\($0): \(reason)" } ?? reason
    }
    if let posix = error as? POSIXError { return String(cString: strerror(posix.code.rawValue)) }
    return "\(error)"
  }
}
