import FoundationEssentials

/// The dotenv format of `env_file`: `KEY=value` lines, `#` comments, blank
/// lines, an optional `export ` prefix, values in single quotes (taken as
/// they are) or double quotes (with `\n`, `\t`, `\"`, `\\` escapes),
/// unquoted values trimmed and cut at ` #`.
public enum DotEnv {
  public struct Problem: Error, CustomStringConvertible, Equatable {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
  }

  public static func parse(_ text: String) throws(Problem) -> [(key: String, value: String)] {
    var entries: [(key: String, value: String)] = []
    // "\r\n" is one Character in Swift: split on either line ending.
    let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
    for (index, raw) in lines.enumerated() {
      var line = raw.drop { $0 == " " || $0 == "\t" }
      if line.isEmpty || line.hasPrefix("#") { continue }
      if line.hasPrefix("export ") { line = line.dropFirst(7).drop { $0 == " " } }
      guard let equals = line.firstIndex(of: "=") else {
        throw Problem(line: index + 1, message: "expected KEY=value")
      }
      let key = line[..<equals].trimmed
      guard isName(key) else {
        throw Problem(line: index + 1, message: "'\(key)' is not a variable name")
      }
      let rest = line[line.index(after: equals)...].drop { $0 == " " || $0 == "\t" }
      entries.append((key, try value(rest, line: index + 1)))
    }
    return entries
  }

  private static func value(_ text: Substring, line: Int) throws(Problem) -> String {
    guard let quote = text.first, quote == "'" || quote == "\"" else {
      var value = text
      if let comment = value.firstRange(of: " #") { value = value[..<comment.lowerBound] }
      return value.trimmed
    }
    var result = ""
    var escaped = false
    for (offset, character) in text.dropFirst().enumerated() {
      if escaped {
        switch character {
        case "n": result.append("\n")
        case "t": result.append("\t")
        default: result.append(character)
        }
        escaped = false
      } else if character == "\\" && quote == "\"" {
        escaped = true
      } else if character == quote {
        let after = text.dropFirst(offset + 2).trimmed
        guard after.isEmpty || after.hasPrefix("#") else {
          throw Problem(line: line, message: "unexpected text after the closing quote")
        }
        return result
      } else {
        result.append(character)
      }
    }
    throw Problem(line: line, message: "the value's \(quote) quote is not closed")
  }

  static func isName(_ text: String) -> Bool {
    guard let first = text.utf8.first, first == UInt8(ascii: "_") || isLetter(first) else {
      return false
    }
    return text.utf8.allSatisfy {
      isLetter($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
        || $0 == UInt8(ascii: "_")
    }
  }

  private static func isLetter(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
      || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
  }
}
