/// Reads a JSON pipeline file strictly (RFC 8259), as `jq` and every JSON
/// library read it, into the node tree YAML files are read into, so that
/// both go through one decoder, one duplicate-key check and one way of
/// naming the line of a problem. The YAML parser would also take a trailing
/// comma, single quotes or comments, which the same file's other readers
/// (jq, editors, Python) refuse; and Foundation's decoder neither keeps
/// positions nor refuses a repeated key. Only the first syntax problem is
/// reported, with its line and column (1-based, counted in characters).
struct JSONReader {
  struct Problem: Error, Equatable {
    var line: Int
    var column: Int
    var message: String
  }

  private let bytes: [UInt8]
  private var index = 0
  private var depth = 0
  /// Where the current line starts, and a column already counted on it:
  /// marks are asked for in increasing order, so counting goes on from the
  /// last one instead of from the line's start (a generated file is often
  /// one long line).
  private var line = 1
  private var lineStart = 0
  private var counted = (offset: 0, column: 1)
  /// Deeper than any pipeline; keeps the recursion off the stack's end.
  private static let maximumDepth = 512

  static func read(_ bytes: [UInt8]) throws(Problem) -> YAMLNode {
    var reader = JSONReader(bytes: bytes)
    reader.skipWhitespace()
    let root = try reader.value()
    reader.skipWhitespace()
    if reader.index < bytes.count {
      throw reader.problem("unexpected \(reader.current) after the top-level value")
    }
    return root
  }

  private init(bytes: [UInt8]) { self.bytes = bytes }

  private var current: String {
    guard index < bytes.count else { return "end of file" }
    let byte = bytes[index]
    return byte >= 0x20 && byte < 0x7F ? "'\(Character(UnicodeScalar(byte)))'" : "byte \(byte)"
  }

  private mutating func mark() -> YAMLMark {
    if counted.offset < lineStart { counted = (lineStart, 1) }
    var column = counted.column
    for byte in bytes[counted.offset..<index] where byte & 0xC0 != 0x80 { column += 1 }
    counted = (index, column)
    return YAMLMark(line: line, column: column)
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
    while index < bytes.count {
      switch bytes[index] {
      case 0x0A:
        line += 1
        lineStart = index + 1
      case 0x20, 0x0D, 0x09: break
      default: return
      }
      index += 1
    }
  }

  private mutating func value() throws(Problem) -> YAMLNode {
    guard index < bytes.count else { throw problem("expected a value, found end of file") }
    switch bytes[index] {
    case UInt8(ascii: "{"): return try mapping()
    case UInt8(ascii: "["): return try sequence()
    case UInt8(ascii: "\""): return try string()
    case UInt8(ascii: "t"): return try literal("true")
    case UInt8(ascii: "f"): return try literal("false")
    case UInt8(ascii: "n"): return try literal("null")
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
    case UInt8(ascii: "'"): throw problem("strings take double quotes in JSON")
    case UInt8(ascii: "/"): throw problem("JSON has no comments")
    default: throw problem("expected a value, found \(current)")
    }
  }

  private mutating func mapping() throws(Problem) -> YAMLNode {
    let start = mark()
    var pairs: [(key: YAMLNode, value: YAMLNode)] = []
    try items(close: UInt8(ascii: "}")) { reader throws(Problem) in
      guard reader.index < reader.bytes.count, reader.bytes[reader.index] == UInt8(ascii: "\"")
      else {
        throw reader.problem("expected a key in double quotes, found \(reader.current)")
      }
      let key = try reader.string()
      reader.skipWhitespace()
      guard reader.index < reader.bytes.count, reader.bytes[reader.index] == UInt8(ascii: ":")
      else {
        throw reader.problem("expected ':' after the key, found \(reader.current)")
      }
      reader.index += 1
      reader.skipWhitespace()
      pairs.append((key, try reader.value()))
    }
    return .mapping(pairs, start)
  }

  private mutating func sequence() throws(Problem) -> YAMLNode {
    let start = mark()
    var elements: [YAMLNode] = []
    try items(close: UInt8(ascii: "]")) { reader throws(Problem) in
      elements.append(try reader.value())
    }
    return .sequence(elements, start)
  }

  /// The items of an object or array, `item` reading each, up to `close`.
  private mutating func items(
    close: UInt8, _ item: (inout JSONReader) throws(Problem) -> Void
  ) throws(Problem) {
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
      try item(&self)
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

  private mutating func string() throws(Problem) -> YAMLNode {
    let start = index
    let position = mark()
    index += 1
    var decoded: [UInt8] = []
    var copied = index
    while index < bytes.count {
      switch bytes[index] {
      case UInt8(ascii: "\""):
        // Most strings hold no escape: made from the file's bytes at once.
        let text =
          decoded.isEmpty && copied == start + 1
          ? String(decoding: bytes[copied..<index], as: UTF8.self)
          : String(decoding: decoded + bytes[copied..<index], as: UTF8.self)
        index += 1
        return .scalar(YAMLScalar(text: text, style: .doubleQuoted, tag: nil, mark: position))
      case UInt8(ascii: "\\"):
        decoded += bytes[copied..<index]
        index += 1
        guard index < bytes.count else { break }
        try escape(into: &decoded)
        copied = index
      case 0..<0x20:
        throw problem("a control character inside a string (write \\n, \\t)")
      default:
        index += 1
      }
    }
    throw problem("a string that is never closed", at: start)
  }

  /// The escape after a backslash, its UTF-8 appended to `decoded`.
  private mutating func escape(into decoded: inout [UInt8]) throws(Problem) {
    let escape = bytes[index]
    guard escape == UInt8(ascii: "u") else {
      guard let replacement = JSONEscape.byte(for: escape) else {
        throw problem("unknown escape \\\(Character(UnicodeScalar(escape)))")
      }
      decoded.append(replacement)
      index += 1
      return
    }
    var unit = try hexUnit()
    // A pair of \u escapes is one character beyond the BMP; a lone
    // surrogate becomes U+FFFD, as Foundation's decoder reads it.
    if JSONEscape.isHighSurrogate(unit), index + 1 < bytes.count,
      bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
    {
      index += 1
      unit = JSONEscape.pair(high: unit, low: try hexUnit()) ?? 0xFFFD
    }
    let scalar = Unicode.Scalar(unit) ?? "\u{FFFD}"
    decoded += Array(String(Character(scalar)).utf8)
  }

  /// The four hexadecimal digits after `u`.
  private mutating func hexUnit() throws(Problem) -> UInt32 {
    guard
      let unit = JSONEscape.unit(bytes[min(index + 1, bytes.count)..<min(index + 5, bytes.count)])
    else {
      throw problem("\\u needs four hexadecimal digits")
    }
    index += 5
    return unit
  }

  private mutating func literal(_ word: String) throws(Problem) -> YAMLNode {
    let end = index + word.utf8.count
    guard end <= bytes.count, bytes[index..<end].elementsEqual(word.utf8) else {
      throw problem("expected a value, found \(current) (strings take double quotes)")
    }
    return plain(to: end)
  }

  /// A literal or number: text a YAML file would hold unquoted.
  private mutating func plain(to end: Int) -> YAMLNode {
    let position = mark()
    let text = String(decoding: bytes[index..<end], as: UTF8.self)
    index = end
    return .scalar(YAMLScalar(text: text, style: .plain, tag: nil, mark: position))
  }

  private mutating func number() throws(Problem) -> YAMLNode {
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
    let end = index
    index = start
    return plain(to: end)
  }

  private mutating func digits() -> Int {
    let start = index
    while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
      index += 1
    }
    return index - start
  }
}
