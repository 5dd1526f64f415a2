import FoundationEssentials

/// Text that came from outside (a task's output, a progress message, a
/// name read from a record, a file name) as it may reach a terminal: its
/// control characters shown as escapes, so that a task cannot move the
/// cursor, clear the screen, set the window title or the clipboard
/// (`ESC ] 52`), forge a line with `\r`, or reorder what follows with a
/// bidirectional override (U+202E). Our own colours are added after.
public enum TerminalText {
  /// One line: every control character escaped, `\n` included.
  public static func escaped(_ text: some StringProtocol) -> String {
    escaped(text, keepingLines: false)
  }

  /// Many lines, as a log is printed: `\n` and tabs kept, every other
  /// control character escaped (`\r` too: it would hide what precedes it).
  public static func escapedKeepingLines(_ text: some StringProtocol) -> String {
    escaped(text, keepingLines: true)
  }

  private static func escaped(_ text: some StringProtocol, keepingLines: Bool) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      if keepingLines && (scalar == "\n" || scalar == "\t") {
        result.unicodeScalars.append(scalar)
      } else if let escape = escape(scalar) {
        result += escape
      } else {
        result.unicodeScalars.append(scalar)
      }
    }
    return result
  }

  /// Lines as a terminal would show them: `\n`, `\r\n` and a lone `\r`
  /// each end one, so a task cannot make one line look like several or
  /// hide one behind another; each line escaped.
  public static func lines(_ text: some StringProtocol) -> [String] {
    text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
      .map { escaped($0) }
  }

  private static func escape(_ scalar: Unicode.Scalar) -> String? {
    switch scalar.value {
    case 0x1B: return "\\e"
    case 0x0A: return "\\n"
    case 0x0D: return "\\r"
    case 0x09: return "\\t"
    case 0x07: return "\\a"
    case 0x08: return "\\b"
    case 0x00..<0x20, 0x7F: return "\\x" + hex(scalar.value, digits: 2)
    // C1 controls (CSI is 0x9B) and the marks that reorder text.
    case 0x80..<0xA0, 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069:
      return "\\u{" + hex(scalar.value, digits: 4) + "}"
    default: return nil
    }
  }

  private static func hex(_ value: UInt32, digits: Int) -> String {
    let text = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, digits - text.count)) + text
  }
}
