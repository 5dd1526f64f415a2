import FoundationEssentials
import Glibc

/// Colour for people at a terminal, plain text for files, pipes and cron mail.
public struct TerminalStyle: Sendable {
  public var colors: Bool

  public init(colors: Bool) {
    self.colors = colors
  }

  /// Colour only on a TTY, and never with `NO_COLOR` set or `TERM=dumb`.
  public static func detect(
    descriptor: Int32 = STDOUT_FILENO,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> TerminalStyle {
    TerminalStyle(colors: allowsCursorMovement(descriptor: descriptor, environment: environment))
  }

  /// A terminal that may get escape sequences at all: colour, and the
  /// cursor movement of the live view. `TERM=dumb` (Emacs shells, some CI
  /// logs) and `NO_COLOR` get plain lines only.
  public static func allowsCursorMovement(
    descriptor: Int32, environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> Bool {
    isatty(descriptor) == 1 && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
  }

  public func red(_ text: String) -> String { paint(text, "31") }
  public func green(_ text: String) -> String { paint(text, "32") }
  public func yellow(_ text: String) -> String { paint(text, "33") }
  public func dim(_ text: String) -> String { paint(text, "2") }
  public func bold(_ text: String) -> String { paint(text, "1") }

  private func paint(_ text: String, _ code: String) -> String {
    colors ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }
}
