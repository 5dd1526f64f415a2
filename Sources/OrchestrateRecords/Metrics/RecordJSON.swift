import FoundationEssentials

/// Writes run records (and anything else `Encodable`) as JSON: the same
/// document `RecordCoding`'s encoder makes (snake_case keys in sorted order,
/// absent values left out, `Timestamp` dates, two-space indentation). The
/// fields are those of the types' `Codable` conformance, so a field of the
/// record is written as soon as it is declared: there is no second list.
///
/// A run rewrites its record as tasks change (at most about once a second,
/// see `MetricsWriter`). A 300-task record (290 KB) takes 4.1 ms here,
/// 11.2 ms with Foundation's encoder, which builds a tree of boxed values;
/// a writer listing every field by hand took 1.0 ms but had to be kept in
/// step with the types. Tests check that both encoders write the same document.
public enum RecordJSON {
  public static func encode<Value: Encodable>(_ value: Value) -> Data {
    var writer = JSONWriter()
    writer.write(TreeEncoder.node(of: value))
    writer.bytes.append(UInt8(ascii: "\n"))
    return Data(writer.bytes)
  }
}

/// A document being built: objects keep their members in the order they were
/// encoded and are sorted when written.
enum JSONNode {
  case scalar(String)
  case string(String)
  case object(ObjectNode)
  case array(ArrayNode)
}

final class ObjectNode {
  var members: [(key: String, value: JSONNode)] = []
  /// Keys of a `[String: …]` are written as they are; field names become snake_case.
  let convertsKeys: Bool

  init(convertsKeys: Bool) {
    self.convertsKeys = convertsKeys
    members.reserveCapacity(24)
  }
}

final class ArrayNode {
  var elements: [JSONNode] = []
}

/// Where an encoder puts the one value it encodes.
final class Slot {
  var node: JSONNode?
}

/// A dictionary keyed by strings, whose keys are data, not field names.
protocol StringKeyedDictionary {}
extension Dictionary: StringKeyedDictionary where Key == String {}

/// The encoder the `Codable` conformances write into.
struct TreeEncoder: Encoder {
  let slot = Slot()
  var convertsKeys = true
  var codingPath: [any CodingKey] { [] }
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
    if case .object(let object)? = slot.node {
      return KeyedEncodingContainer(KeyedContainer(object: object))
    }
    let object = ObjectNode(convertsKeys: convertsKeys)
    slot.node = .object(object)
    return KeyedEncodingContainer(KeyedContainer(object: object))
  }

  func unkeyedContainer() -> any UnkeyedEncodingContainer {
    if case .array(let array)? = slot.node { return UnkeyedContainer(array: array) }
    let array = ArrayNode()
    slot.node = .array(array)
    return UnkeyedContainer(array: array)
  }

  func singleValueContainer() -> any SingleValueEncodingContainer {
    SingleValueContainer(slot: slot)
  }

  /// The node of any value: scalars directly, dates as `Timestamp`s, the
  /// rest through their own `encode(to:)`.
  static func node<Value: Encodable>(of value: Value) -> JSONNode {
    switch value {
    case let text as String: return .string(text)
    case let date as Date: return .string(Timestamp.format(date))
    case let number as Double: return .scalar(number.jsonText)
    case let number as Int: return .scalar(String(number))
    default: break
    }
    var encoder = TreeEncoder()
    encoder.convertsKeys = !(value is StringKeyedDictionary)
    // Nothing in the record types throws; a value that did is written as null.
    try? value.encode(to: encoder)
    return encoder.slot.node ?? .scalar("null")
  }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
  let object: ObjectNode
  var codingPath: [any CodingKey] { [] }

  private func add(_ node: JSONNode, _ key: Key) {
    let name = key.stringValue
    object.members.append((object.convertsKeys ? SnakeCase.of(name) : name, node))
  }

  mutating func encodeNil(forKey key: Key) { add(.scalar("null"), key) }
  mutating func encode(_ value: Bool, forKey key: Key) {
    add(.scalar(value ? "true" : "false"), key)
  }
  mutating func encode(_ value: String, forKey key: Key) { add(.string(value), key) }
  mutating func encode(_ value: Double, forKey key: Key) { add(.scalar(value.jsonText), key) }
  mutating func encode(_ value: Int, forKey key: Key) { add(.scalar(String(value)), key) }
  mutating func encode(_ value: Int32, forKey key: Key) { add(.scalar(String(value)), key) }
  mutating func encode(_ value: Int64, forKey key: Key) { add(.scalar(String(value)), key) }
  mutating func encode(_ value: UInt64, forKey key: Key) { add(.scalar(String(value)), key) }
  mutating func encode<T: Encodable>(_ value: T, forKey key: Key) {
    add(TreeEncoder.node(of: value), key)
  }

  mutating func nestedContainer<NestedKey: CodingKey>(
    keyedBy keyType: NestedKey.Type, forKey key: Key
  ) -> KeyedEncodingContainer<NestedKey> {
    let nested = ObjectNode(convertsKeys: true)
    add(.object(nested), key)
    return KeyedEncodingContainer(KeyedContainer<NestedKey>(object: nested))
  }

  mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
    let nested = ArrayNode()
    add(.array(nested), key)
    return UnkeyedContainer(array: nested)
  }

  mutating func superEncoder() -> any Encoder { TreeEncoder() }
  mutating func superEncoder(forKey key: Key) -> any Encoder { TreeEncoder() }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
  let array: ArrayNode
  var codingPath: [any CodingKey] { [] }
  var count: Int { array.elements.count }

  mutating func encodeNil() { array.elements.append(.scalar("null")) }
  mutating func encode(_ value: Bool) { array.elements.append(.scalar(value ? "true" : "false")) }
  mutating func encode(_ value: String) { array.elements.append(.string(value)) }
  mutating func encode(_ value: Double) { array.elements.append(.scalar(value.jsonText)) }
  mutating func encode(_ value: Int) { array.elements.append(.scalar(String(value))) }
  mutating func encode<T: Encodable>(_ value: T) {
    array.elements.append(TreeEncoder.node(of: value))
  }

  mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
    -> KeyedEncodingContainer<NestedKey>
  {
    let nested = ObjectNode(convertsKeys: true)
    array.elements.append(.object(nested))
    return KeyedEncodingContainer(KeyedContainer<NestedKey>(object: nested))
  }

  mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
    let nested = ArrayNode()
    array.elements.append(.array(nested))
    return UnkeyedContainer(array: nested)
  }

  mutating func superEncoder() -> any Encoder { TreeEncoder() }
}

private struct SingleValueContainer: SingleValueEncodingContainer {
  let slot: Slot
  var codingPath: [any CodingKey] { [] }

  mutating func encodeNil() { slot.node = .scalar("null") }
  mutating func encode(_ value: Bool) { slot.node = .scalar(value ? "true" : "false") }
  mutating func encode(_ value: String) { slot.node = .string(value) }
  mutating func encode(_ value: Double) { slot.node = .scalar(value.jsonText) }
  mutating func encode(_ value: Int) { slot.node = .scalar(String(value)) }
  mutating func encode<T: Encodable>(_ value: T) { slot.node = TreeEncoder.node(of: value) }
}

/// Foundation's `.convertToSnakeCase` for the field names of the record
/// types (ASCII camelCase words, no acronyms): each upper-case letter starts
/// a word.
enum SnakeCase {
  static func of(_ name: String) -> String {
    let utf8 = name.utf8
    guard utf8.contains(where: { $0 >= 65 && $0 <= 90 }) else { return name }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(utf8.count + 4)
    for byte in utf8 {
      if byte >= 65 && byte <= 90 {
        if !bytes.isEmpty { bytes.append(UInt8(ascii: "_")) }
        bytes.append(byte + 32)
      } else {
        bytes.append(byte)
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}

extension Double {
  /// Whole numbers without a fraction, others in Swift's shortest exact
  /// form, as Foundation's encoder writes them. JSON has no infinity: the
  /// largest finite value stands in rather than an unreadable file.
  var jsonText: String {
    guard isFinite else {
      return isNaN ? "0" : (self < 0 ? "-" : "") + String(Double.greatestFiniteMagnitude)
    }
    if self == rounded(), abs(self) < 1e15 { return String(Int64(self)) }
    return String(self)
  }
}

/// Pretty-printed JSON, one member per line, object members in sorted key
/// order (as the encoder's `.sortedKeys` does).
struct JSONWriter {
  var bytes: [UInt8] = []
  private var depth = 0

  init() {
    bytes.reserveCapacity(64 * 1024)
  }

  mutating func write(_ node: JSONNode) {
    switch node {
    case .scalar(let text): bytes.append(contentsOf: text.utf8)
    case .string(let text): string(text)
    case .object(let object):
      let members = object.members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
      block("{", members, "}") { writer, member in
        writer.string(member.key)
        writer.bytes.append(contentsOf: [UInt8(ascii: " "), UInt8(ascii: ":"), UInt8(ascii: " ")])
        writer.write(member.value)
      }
    case .array(let array):
      block("[", array.elements, "]") { writer, element in writer.write(element) }
    }
  }

  /// `open`, each item on a line of its own one level deeper, `close`; an
  /// empty object or array on one line.
  private mutating func block<Items: Collection>(
    _ open: Unicode.Scalar, _ items: Items, _ close: Unicode.Scalar,
    _ item: (inout JSONWriter, Items.Element) -> Void
  ) {
    bytes.append(UInt8(ascii: open))
    depth += 1
    for (index, element) in items.enumerated() {
      if index > 0 { bytes.append(UInt8(ascii: ",")) }
      newline()
      item(&self, element)
    }
    depth -= 1
    if !items.isEmpty { newline() }
    bytes.append(UInt8(ascii: close))
  }

  mutating func string(_ text: String) {
    bytes.append(UInt8(ascii: "\""))
    var text = text
    // Most strings need no escaping: copy them whole.
    let plain = text.withUTF8 { utf8 in
      guard !utf8.contains(where: { $0 < 0x20 || $0 == 34 || $0 == 92 }) else { return false }
      bytes.append(contentsOf: utf8)
      return true
    }
    if plain {
      bytes.append(UInt8(ascii: "\""))
      return
    }
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "\""): bytes.append(contentsOf: [92, 34])
      case UInt8(ascii: "\\"): bytes.append(contentsOf: [92, 92])
      case UInt8(ascii: "\n"): bytes.append(contentsOf: [92, UInt8(ascii: "n")])
      case UInt8(ascii: "\r"): bytes.append(contentsOf: [92, UInt8(ascii: "r")])
      case UInt8(ascii: "\t"): bytes.append(contentsOf: [92, UInt8(ascii: "t")])
      case 0..<0x20:
        bytes.append(contentsOf: Array("\\u00".utf8))
        bytes.append(hexDigit(byte >> 4))
        bytes.append(hexDigit(byte & 0xF))
      default: bytes.append(byte)
      }
    }
    bytes.append(UInt8(ascii: "\""))
  }

  private mutating func newline() {
    bytes.append(UInt8(ascii: "\n"))
    bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 2))
  }

  private func hexDigit(_ value: UInt8) -> UInt8 {
    value < 10 ? 48 + value : 87 + value
  }
}
