/// The ledger's files are lines of tab-separated fields: a field's
/// backslash, tab, newline and carriage return are written `\\`, `\t`, `\n`
/// and `\r`, so a line is one record whatever an error message holds, and a
/// sorted file can be searched by seeking to a byte and finding the next line.
enum ItemText {
  static func escape(_ text: String) -> String {
    guard
      text.utf8.contains(where: {
        $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n")
          || $0 == UInt8(ascii: "\r")
      })
    else { return text }
    var out = ""
    out.reserveCapacity(text.utf8.count + 8)
    for character in text.unicodeScalars {
      switch character {
      case "\\": out += "\\\\"
      case "\t": out += "\\t"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      default: out.unicodeScalars.append(character)
      }
    }
    return out
  }

  static func unescape(_ field: Substring) -> String {
    guard field.utf8.contains(UInt8(ascii: "\\")) else { return String(field) }
    var out = ""
    var escaped = false
    for character in field.unicodeScalars {
      if escaped {
        switch character {
        case "t": out += "\t"
        case "n": out += "\n"
        case "r": out += "\r"
        default: out.unicodeScalars.append(character)
        }
        escaped = false
      } else if character == "\\" {
        escaped = true
      } else {
        out.unicodeScalars.append(character)
      }
    }
    return out
  }

  /// The fields of one line (without its newline).
  static func fields(_ line: Substring) -> [Substring] {
    line.split(separator: "\t", omittingEmptySubsequences: false)
  }

  static func optional(_ field: Substring?) -> String? {
    guard let field, !field.isEmpty else { return nil }
    return unescape(field)
  }
}
