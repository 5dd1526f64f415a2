/// A strict check of JSON text (RFC 8259), as `jq` and every JSON library
/// read it: the YAML parser that reads pipeline files would also take a
/// trailing comma, single quotes or comments, which the same file's other
/// readers (jq, editors, Python) refuse. Only the first problem is
/// reported, with its line and column (1-based, counted in characters).
struct JSONSyntax {
  struct Problem: Error, Equatable {
    var line: Int
    var column: Int
    var message: String
  }

  private let bytes: [UInt8]
  private var index = 0
  private var depth = 0
  /// Deeper than any pipeline; keeps the recursion off the stack's end.
  private static let maximumDepth = 512

  static func check(_ bytes: [UInt8]) -> Problem? {
    var parser = JSONSyntax(bytes: bytes)
    do throws(Problem) {
      parser.skipWhitespace()
      try parser.value()
      parser.skipWhitespace()
      if parser.index < bytes.count {
        throw parser.problem("unexpected \(parser.current) after the top-level value")
      }
      return nil
    } catch {
      return error
    }
  }

  private init(bytes: [UInt8]) { self.bytes = bytes }

  private var current: String {
    guard index < bytes.count else { return "end of file" }
    let byte = bytes[index]
    return byte >= 0x20 && byte < 0x7F ? "'\(Character(UnicodeScalar(byte)))'" : "byte \(byte)"
  }

  private func problem(_ message: String, at offset: Int? = nil) -> Problem {
    let offset = min(offset ?? index, bytes.count)
    var line = 1
    var column = 1
    for byte in bytes[..<offset] {
      if byte == UInt8(ascii: "\n") {
        line += 1
        column = 1
      } else if byte & 0xC0 != 0x80 {
        column += 1
      }
    }
    return Problem(line: line, column: column, message: message)
  }

  private mutating func skipWhitespace() {
    while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
  }

  private mutating func value() throws(Problem) {
    guard index < bytes.count else { throw problem("expected a value, found end of file") }
    switch bytes[index] {
    case UInt8(ascii: "{"): try container(close: UInt8(ascii: "}"), members: true)
    case UInt8(ascii: "["): try container(close: UInt8(ascii: "]"), members: false)
    case UInt8(ascii: "\""): try string()
    case UInt8(ascii: "t"): try literal("true")
    case UInt8(ascii: "f"): try literal("false")
    case UInt8(ascii: "n"): try literal("null")
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
    case UInt8(ascii: "'"): throw problem("strings take double quotes in JSON")
    case UInt8(ascii: "/"): throw problem("JSON has no comments")
    default: throw problem("expected a value, found \(current)")
    }
  }

  private mutating func container(close: UInt8, members: Bool) throws(Problem) {
    depth += 1
    if depth > Self.maximumDepth { throw problem("nested more than \(Self.maximumDepth) deep") }
    let closing = "'\(Character(UnicodeScalar(close)))'"
    index += 1
    skipWhitespace()
    if index < bytes.count, bytes[index] == close {
      index += 1
      depth -= 1
      return
    }
    while true {
      if members {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
          throw problem("expected a key in double quotes, found \(current)")
        }
        try string()
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
          throw problem("expected ':' after the key, found \(current)")
        }
        index += 1
        skipWhitespace()
      }
      try value()
      skipWhitespace()
      guard index < bytes.count else {
        throw problem("expected ',' or \(closing), found end of file")
      }
      if bytes[index] == close {
        index += 1
        depth -= 1
        return
      }
      guard bytes[index] == UInt8(ascii: ",") else {
        throw problem("expected ',' or \(closing), found \(current)")
      }
      let comma = index
      index += 1
      skipWhitespace()
      if index < bytes.count, bytes[index] == close {
        throw problem("trailing comma before \(closing) (JSON allows none)", at: comma)
      }
    }
  }

  private mutating func string() throws(Problem) {
    let start = index
    index += 1
    while index < bytes.count {
      switch bytes[index] {
      case UInt8(ascii: "\""):
        index += 1
        return
      case UInt8(ascii: "\\"):
        index += 1
        guard index < bytes.count else { break }
        let escape = bytes[index]
        if escape == UInt8(ascii: "u") {
          let digits = bytes[min(index + 1, bytes.count)..<min(index + 5, bytes.count)]
          guard digits.count == 4, digits.allSatisfy(Self.isHexDigit) else {
            throw problem("\\u needs four hexadecimal digits")
          }
          index += 5
        } else {
          guard "\"\\/bfnrt".utf8.contains(escape) else {
            throw problem("unknown escape \\\(Character(UnicodeScalar(escape)))")
          }
          index += 1
        }
      case 0..<0x20:
        throw problem("a control character inside a string (write \\n, \\t)")
      default:
        index += 1
      }
    }
    throw problem("a string that is never closed", at: start)
  }

  private mutating func literal(_ word: String) throws(Problem) {
    let end = index + word.utf8.count
    guard end <= bytes.count, bytes[index..<end].elementsEqual(word.utf8) else {
      throw problem("expected a value, found \(current) (strings take double quotes)")
    }
    index = end
  }

  private mutating func number() throws(Problem) {
    let start = index
    if bytes[index] == UInt8(ascii: "-") { index += 1 }
    let integer = digits()
    guard integer > 0 else { throw problem("a number needs digits", at: start) }
    if integer > 1, bytes[index - integer] == UInt8(ascii: "0") {
      throw problem("a number cannot start with 0", at: start)
    }
    if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
      index += 1
      guard digits() > 0 else { throw problem("a number needs digits after '.'") }
    }
    if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
      index += 1
      if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")
      {
        index += 1
      }
      guard digits() > 0 else { throw problem("a number needs digits in its exponent") }
    }
  }

  private mutating func digits() -> Int {
    let start = index
    while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
      index += 1
    }
    return index - start
  }

  private static func isHexDigit(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
      || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20)
  }
}
