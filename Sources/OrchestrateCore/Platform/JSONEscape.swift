/// JSON's string escapes (RFC 8259 §7), read one way by every reader of
/// JSON text here: the pipeline file's reader, which names the place of a
/// bad one, and the record scanner, which leaves such a record to the decoder.
package enum JSONEscape {
  /// What a one-character escape (`\n`, `\"`, …) stands for; nil for `u`
  /// and for anything JSON does not have.
  package static func byte(for escape: UInt8) -> UInt8? {
    switch escape {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): escape
    case UInt8(ascii: "b"): 0x08
    case UInt8(ascii: "f"): 0x0C
    case UInt8(ascii: "n"): 0x0A
    case UInt8(ascii: "r"): 0x0D
    case UInt8(ascii: "t"): 0x09
    default: nil
    }
  }

  /// The UTF-16 unit `\u`'s four hexadecimal digits spell; nil unless they
  /// are exactly four (a sign is not a digit, though `radix:` takes one).
  package static func unit(_ digits: some Collection<UInt8>) -> UInt32? {
    guard digits.count == 4, digits.allSatisfy(isHexDigit) else { return nil }
    return UInt32(String(decoding: digits, as: UTF8.self), radix: 16)
  }

  package static func isHighSurrogate(_ unit: UInt32) -> Bool { (0xD800..<0xDC00).contains(unit) }

  /// A high surrogate and the unit after it as the one character beyond
  /// the BMP they spell; nil when `low` is not a low surrogate.
  package static func pair(high: UInt32, low: UInt32) -> UInt32? {
    (0xDC00..<0xE000).contains(low) ? 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00) : nil
  }

  private static func isHexDigit(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
      || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20)
  }
}
