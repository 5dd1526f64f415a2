import Glibc

/// Why a state could not be prepared, committed or rolled back: the path
/// and the system's reason, in one line.
public struct StateError: Error, CustomStringConvertible, Sendable {
  public var description: String

  package init(_ description: String) {
    self.description = description
  }

  /// `what`, with `errno`'s reason appended.
  package static func system(_ what: String) -> StateError {
    StateError("\(what): \(String(cString: strerror(errno)))")
  }
}
