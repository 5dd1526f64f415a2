/// `Decodable` values from a composed YAML tree. Every scalar reads as
/// text; plain scalars also read as null, booleans (YAML 1.1 words) and
/// numbers. Type errors name what was expected: a scalar, `[Any]` for a
/// list, `[String: Any]` for a mapping.
public struct YAMLNodeDecoder {
  public init() {}

  public func decode<Value: Decodable>(_ type: Value.Type, from node: YAMLNode) throws -> Value {
    try Value(from: NodeDecoder(node: node, codingPath: []))
  }
}

private struct NodeDecoder: Decoder, SingleValueDecodingContainer {
  let node: YAMLNode
  let codingPath: [any CodingKey]
  var userInfo: [CodingUserInfoKey: Any] { [:] }

  func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
    guard let pairs = node.mapping else { throw mismatch([String: Any].self) }
    return KeyedDecodingContainer(MappingContainer<Key>(decoder: self, pairs: pairs))
  }

  func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
    guard let elements = node.sequence else { throw mismatch([Any].self) }
    return SequenceContainer(decoder: self, elements: elements)
  }

  func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

  func child(_ node: YAMLNode, key: any CodingKey) -> NodeDecoder {
    NodeDecoder(node: node, codingPath: codingPath + [key])
  }

  func mismatch(_ expected: Any.Type) -> DecodingError {
    .typeMismatch(
      expected, .init(codingPath: codingPath, debugDescription: "expected \(expected)"))
  }

  private func scalar() throws -> YAMLScalar {
    guard let scalar = node.scalar else { throw mismatch(String.self) }
    return scalar
  }

  private func read<Value>(_ type: Value.Type, _ convert: (YAMLScalar) -> Value?) throws -> Value {
    guard let value = convert(try scalar()) else { throw mismatch(type) }
    return value
  }

  func decodeNil() -> Bool { node.scalar?.isNull == true }
  func decode(_ type: Bool.Type) throws -> Bool { try read(type) { $0.bool } }
  func decode(_ type: String.Type) throws -> String { try scalar().text }
  func decode(_ type: Double.Type) throws -> Double { try read(type) { $0.floatingPoint() } }
  func decode(_ type: Float.Type) throws -> Float {
    try read(type) { $0.floatingPoint().map(Float.init) }
  }
  func decode(_ type: Int.Type) throws -> Int { try integer(type) }
  func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
  func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
  func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
  func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
  func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
  func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
  func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
  func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
  func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
  func decode<Value: Decodable>(_ type: Value.Type) throws -> Value { try Value(from: self) }

  private func integer<Number: FixedWidthInteger>(_ type: Number.Type) throws -> Number {
    try read(type) { $0.integer(type) }
  }
}

private struct MappingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
  let decoder: NodeDecoder
  let pairs: [(key: YAMLNode, value: YAMLNode)]
  /// The keys' text, taken out of their nodes once: a definition asks for
  /// each of its thirty-odd fields, and most are not there.
  let keys: [String?]

  init(decoder: NodeDecoder, pairs: [(key: YAMLNode, value: YAMLNode)]) {
    self.decoder = decoder
    self.pairs = pairs
    keys = pairs.map(\.key.string)
  }

  var codingPath: [any CodingKey] { decoder.codingPath }

  var allKeys: [Key] { keys.compactMap { $0.flatMap(Key.init(stringValue:)) } }

  func contains(_ key: Key) -> Bool { keys.contains(key.stringValue) }

  private func value(for key: Key) -> YAMLNode? {
    keys.firstIndex(of: key.stringValue).map { pairs[$0].value }
  }

  private func child(_ key: Key) throws -> NodeDecoder {
    guard let node = value(for: key) else {
      throw DecodingError.keyNotFound(
        key, .init(codingPath: codingPath, debugDescription: "no value for '\(key.stringValue)'"))
    }
    return decoder.child(node, key: key)
  }

  func decodeNil(forKey key: Key) throws -> Bool { try child(key).decodeNil() }

  func decode<Value: Decodable>(_ type: Value.Type, forKey key: Key) throws -> Value {
    try child(key).decode(type)
  }

  func nestedContainer<NestedKey: CodingKey>(
    keyedBy type: NestedKey.Type, forKey key: Key
  ) throws -> KeyedDecodingContainer<NestedKey> {
    try child(key).container(keyedBy: type)
  }

  func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
    try child(key).unkeyedContainer()
  }

  func superDecoder() throws -> any Decoder { decoder }
  func superDecoder(forKey key: Key) throws -> any Decoder { try child(key) }
}

private struct SequenceContainer: UnkeyedDecodingContainer {
  let decoder: NodeDecoder
  let elements: [YAMLNode]
  var currentIndex = 0

  init(decoder: NodeDecoder, elements: [YAMLNode]) {
    self.decoder = decoder
    self.elements = elements
  }

  var codingPath: [any CodingKey] { decoder.codingPath }
  var count: Int? { elements.count }
  var isAtEnd: Bool { currentIndex >= elements.count }

  private mutating func nextDecoder(_ type: Any.Type) throws -> NodeDecoder {
    guard !isAtEnd else {
      throw DecodingError.valueNotFound(
        type,
        .init(
          codingPath: codingPath + [ElementKey(intValue: currentIndex)],
          debugDescription: "the list has no more elements"))
    }
    defer { currentIndex += 1 }
    return decoder.child(elements[currentIndex], key: ElementKey(intValue: currentIndex))
  }

  mutating func decodeNil() throws -> Bool {
    guard !isAtEnd, elements[currentIndex].scalar?.isNull == true else { return false }
    currentIndex += 1
    return true
  }

  mutating func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
    try nextDecoder(type).decode(type)
  }

  mutating func nestedContainer<NestedKey: CodingKey>(
    keyedBy type: NestedKey.Type
  ) throws -> KeyedDecodingContainer<NestedKey> {
    try nextDecoder([String: Any].self).container(keyedBy: type)
  }

  mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
    try nextDecoder([Any].self).unkeyedContainer()
  }

  mutating func superDecoder() throws -> any Decoder { try nextDecoder(Any.self) }
}

private struct ElementKey: CodingKey {
  var stringValue: String { "Index \(intValue!)" }
  var intValue: Int?
  init(intValue: Int) { self.intValue = intValue }
  init?(stringValue: String) { nil }
}

extension Decoder {
  /// Where the value being decoded was written, when it comes from YAML.
  var mark: YAMLMark? { (self as? NodeDecoder)?.node.mark }
}
