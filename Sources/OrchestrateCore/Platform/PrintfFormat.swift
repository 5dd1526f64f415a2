import Glibc

extension String {
  /// Text from a C `printf` format with numeric arguments (`%.2f`, `%02d`,
  /// `%.6g`), as the C library writes it in the "C" locale.
  package init(printf format: String, _ arguments: any CVarArg...) {
    var buffer = [CChar](repeating: 0, count: 64)
    let needed = withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) }
    if needed >= buffer.count {
      buffer = [CChar](repeating: 0, count: Int(needed) + 1)
      _ = withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) }
    }
    self = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// The text cut or filled with spaces to `width` characters, for columns.
  package func padded(to width: Int) -> String {
    count >= width ? String(prefix(width)) : self + String(repeating: " ", count: width - count)
  }

  /// The text without the zeros that end its fractional part, and without
  /// the point when nothing is left after it (`1.500` → `1.5`, `2.000` → `2`).
  package func droppingTrailingZeros() -> String {
    guard contains(".") else { return self }
    var text = Substring(self)
    while text.hasSuffix("0") { text = text.dropLast() }
    if text.hasSuffix(".") { text = text.dropLast() }
    return String(text)
  }

  /// The text without white space at its end.
  package func droppingTrailingWhitespace() -> String {
    var text = Substring(self)
    while let last = text.last, last.isWhitespace { text = text.dropLast() }
    return String(text)
  }
}
