/// A place in a YAML text, both counted from 1 (columns in characters).
public struct YAMLMark: Sendable, Equatable, CustomStringConvertible {
  public var line: Int
  public var column: Int

  public var description: String { "\(line):\(column)" }
}

/// One node of a YAML document, aliases already resolved (an alias is the
/// node its anchor names, shared, not copied).
public enum YAMLNode: Sendable {
  case scalar(YAMLScalar)
  case sequence([YAMLNode], YAMLMark)
  case mapping([(key: YAMLNode, value: YAMLNode)], YAMLMark)

  public var mark: YAMLMark {
    switch self {
    case .scalar(let scalar): scalar.mark
    case .sequence(_, let mark), .mapping(_, let mark): mark
    }
  }

  public var scalar: YAMLScalar? {
    if case .scalar(let scalar) = self { scalar } else { nil }
  }

  /// The text of a scalar node.
  public var string: String? { scalar?.text }

  public var sequence: [YAMLNode]? {
    if case .sequence(let elements, _) = self { elements } else { nil }
  }

  public var mapping: [(key: YAMLNode, value: YAMLNode)]? {
    if case .mapping(let pairs, _) = self { pairs } else { nil }
  }

  /// The value of the first key whose text is `key`. Keys are found by
  /// their text alone, so `on:` is the key `on` and never a boolean.
  public subscript(key: String) -> YAMLNode? {
    mapping?.first { $0.key.string == key }?.value
  }
}

public struct YAMLScalar: Sendable {
  public enum Style: Sendable { case plain, singleQuoted, doubleQuoted, literal, folded }

  public var text: String
  public var style: Style
  /// An explicit tag (`!!str`, as `tag:yaml.org,2002:str`), nil when none.
  public var tag: String?
  public var mark: YAMLMark

  static let stringTag = "tag:yaml.org,2002:str"

  /// Whether the text may be read as null, a boolean or a number (YAML 1.1:
  /// plain and untagged); quoted or `!!str` scalars are only ever text.
  var isTypable: Bool { tag == nil ? style == .plain : tag != Self.stringTag }

  var isNull: Bool {
    isTypable && ["", "~", "null", "Null", "NULL"].contains(text)
  }

  /// YAML 1.1's booleans, as the decoder reads them (`yes`, `off`, …).
  var bool: Bool? {
    guard isTypable else { return nil }
    switch text {
    case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON": return true
    case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF": return false
    default: return nil
    }
  }

  /// A whole number: decimal, or `0x`, `0o`, `0b` with a radix; `_` as a separator.
  func integer<Number: FixedWidthInteger>(_ type: Number.Type) -> Number? {
    guard isTypable else { return nil }
    var digits = Substring(text.filter { $0 != "_" })
    let negative = digits.hasPrefix("-")
    if negative || digits.hasPrefix("+") { digits = digits.dropFirst() }
    var radix = 10
    for (prefix, base) in [("0x", 16), ("0o", 8), ("0b", 2)] where digits.hasPrefix(prefix) {
      digits = digits.dropFirst(2)
      radix = base
    }
    guard !digits.isEmpty, digits.first != "+", digits.first != "-" else { return nil }
    return Number((negative ? "-" : "") + digits, radix: radix)
  }

  /// A number: decimal or exponent notation, `.inf`, `-.inf`, `.nan`.
  func floatingPoint() -> Double? {
    guard isTypable else { return nil }
    switch text.lowercased() {
    case ".inf", "+.inf": return .infinity
    case "-.inf": return -.infinity
    case ".nan": return .nan
    default:
      let digits = text.filter { $0 != "_" }
      guard digits.allSatisfy({ "0123456789+-.eE".contains($0) }) else { return nil }
      return Double(digits)
    }
  }
}
