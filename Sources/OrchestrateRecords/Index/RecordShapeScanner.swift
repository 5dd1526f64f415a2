import FoundationEssentials
import Glibc

/// Reads the fields a run digest needs from a record's JSON in one pass over
/// its bytes, for the one time every record is read: an index that is
/// missing or of another version. Foundation's decoder builds a map of the
/// whole document and then looks each key up; that was three quarters of a
/// rebuild over 20,000 records.
///
/// It only reads what it is sure of. A document that is not strict JSON, a
/// field of an unexpected type, a key given twice, an integer written with a
/// fraction or exponent, a status that is not one: nil, and the record goes
/// to Foundation's decoder, which judges it. So a record reads the same
/// either way, and a broken one is named as before.
struct RecordShapeScanner {
  private let bytes: UnsafeRawBufferPointer
  private var position = 0

  private init(_ bytes: UnsafeRawBufferPointer) {
    self.bytes = bytes
  }

  static func shape(_ data: Data) -> RunDigest.RecordShape? {
    data.withUnsafeBytes { bytes in
      // Strings are taken as UTF-8 below: a document that is not is left
      // to the decoder (JSON's structure is ASCII, so one check covers all).
      guard String(validating: bytes, as: UTF8.self) != nil else { return nil }
      var scanner = RecordShapeScanner(bytes)
      guard let shape = scanner.record() else { return nil }
      scanner.skipWhitespace()
      return scanner.position == bytes.count ? shape : nil
    }
  }

  // MARK: The record's fields

  private mutating func record() -> RunDigest.RecordShape? {
    var schemaVersion: Int?
    var pipeline: String?
    var runId: String?
    var status: RunStatus?
    var startedAt: String?
    var duration: Double??
    var sourceFilter: [String]??
    var environment: String??
    var trigger: String??
    var rerunOf: String??
    var tasks: [RunDigest.TaskShape]?
    let complete = object { scanner, key in
      switch key {
      case "schema_version": return Self.once(&schemaVersion, scanner.integer())
      case "pipeline": return Self.once(&pipeline, scanner.string())
      case "run_id": return Self.once(&runId, scanner.string())
      case "status": return Self.once(&status, scanner.string().flatMap(RunStatus.init))
      case "started_at": return Self.once(&startedAt, scanner.string())
      case "duration_seconds": return Self.once(&duration, scanner.optional { $0.double() })
      case "source_filter":
        return Self.once(&sourceFilter, scanner.optional { $0.array { $0.string() } })
      case "environment": return Self.once(&environment, scanner.optional { $0.string() })
      case "trigger": return Self.once(&trigger, scanner.optional { $0.string() })
      case "rerun_of": return Self.once(&rerunOf, scanner.optional { $0.string() })
      case "tasks": return Self.once(&tasks, scanner.array { $0.task() })
      default: return !key.escaped && scanner.skipValue()
      }
    }
    guard complete, let schemaVersion, let pipeline, let runId, let status, let startedAt,
      let tasks
    else { return nil }
    return RunDigest.RecordShape(
      schemaVersion: schemaVersion, pipeline: pipeline, runId: runId, status: status,
      startedAt: startedAt, durationSeconds: duration ?? nil, sourceFilter: sourceFilter ?? nil,
      environment: environment ?? nil, trigger: trigger ?? nil, rerunOf: rerunOf ?? nil,
      tasks: tasks)
  }

  private mutating func task() -> RunDigest.TaskShape? {
    var name: String?
    var status: TaskStatus?
    var reusedFrom: String??
    var duration: Double??
    var peakRss: Int??
    var metrics: [String: Double]??
    var attempts: Int??
    let complete = object { scanner, key in
      switch key {
      case "name": return Self.once(&name, scanner.string())
      case "status": return Self.once(&status, scanner.string().flatMap(TaskStatus.init))
      case "reused_from": return Self.once(&reusedFrom, scanner.optional { $0.string() })
      case "duration_seconds": return Self.once(&duration, scanner.optional { $0.double() })
      case "peak_rss_bytes": return Self.once(&peakRss, scanner.optional { $0.integer() })
      case "metrics": return Self.once(&metrics, scanner.optional { $0.counters() })
      // Only counted; each an object, as the decoder's empty shape wants.
      case "attempts":
        return Self.once(
          &attempts,
          scanner.optional {
            $0.array { $0.object { scanner, _ in scanner.skipValue() } ? true : nil }.map(\.count)
          })
      default: return !key.escaped && scanner.skipValue()
      }
    }
    guard complete, let name, let status else { return nil }
    return RunDigest.TaskShape(
      name: name, status: status, reusedFrom: reusedFrom ?? nil, durationSeconds: duration ?? nil,
      peakRssBytes: peakRss ?? nil, metrics: metrics ?? nil,
      attempts: (attempts ?? nil).map { Array(repeating: RunDigest.Attempt(), count: $0) })
  }

  private mutating func counters() -> [String: Double]? {
    var counters: [String: Double] = [:]
    let complete = object { scanner, key in
      guard let name = key.string, counters[name] == nil, let value = scanner.double() else {
        return false
      }
      counters[name] = value
      return true
    }
    return complete ? counters : nil
  }

  /// Stores a key's value the first time the key is seen; a second time, or
  /// a value that could not be read, ends the scan.
  private static func once<Value>(_ slot: inout Value?, _ value: Value?) -> Bool {
    guard slot == nil, let value else { return false }
    slot = value
    return true
  }

  // MARK: JSON

  private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

  private mutating func skipWhitespace() {
    while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
      position += 1
    }
  }

  /// Skips whitespace, then takes `byte` if it is next.
  private mutating func take(_ byte: UInt8) -> Bool {
    skipWhitespace()
    guard current == byte else { return false }
    position += 1
    return true
  }

  /// An object, each member's value read by `member` (given its key), which
  /// says whether it could.
  private mutating func object(_ member: (inout Self, Key) -> Bool) -> Bool {
    guard depth < Self.maximumDepth, take(UInt8(ascii: "{")) else { return false }
    depth += 1
    defer { depth -= 1 }
    if take(UInt8(ascii: "}")) { return true }
    repeat {
      skipWhitespace()
      guard let key = key(), take(UInt8(ascii: ":")) else { return false }
      skipWhitespace()
      guard member(&self, key) else { return false }
    } while take(UInt8(ascii: ","))
    return take(UInt8(ascii: "}"))
  }

  /// A key as its bytes. One written with an escape matches no field's
  /// name: the fields' readers leave such a record to the decoder (compared
  /// as bytes, it would pass for an unknown key); counters decode it.
  private mutating func key() -> Key? {
    guard let (raw, escaped) = stringBytes() else { return nil }
    return Key(bytes: raw, escaped: escaped)
  }

  struct Key {
    let bytes: UnsafeRawBufferPointer
    let escaped: Bool

    var string: String? {
      escaped ? RecordShapeScanner.unescaped(bytes) : String(decoding: bytes, as: UTF8.self)
    }

    static func ~= (pattern: StaticString, key: Key) -> Bool {
      !key.escaped && pattern.utf8CodeUnitCount == key.bytes.count
        && memcmp(pattern.utf8Start, key.bytes.baseAddress!, key.bytes.count) == 0
    }
  }

  /// As deep as Foundation's decoder goes; deeper is not a record.
  private static let maximumDepth = 512
  private var depth = 0

  private mutating func array<Element>(_ element: (inout Self) -> Element?) -> [Element]? {
    guard depth < Self.maximumDepth, take(UInt8(ascii: "[")) else { return nil }
    depth += 1
    defer { depth -= 1 }
    var elements: [Element] = []
    if take(UInt8(ascii: "]")) { return elements }
    repeat {
      skipWhitespace()
      guard let value = element(&self) else { return nil }
      elements.append(value)
    } while take(UInt8(ascii: ","))
    return take(UInt8(ascii: "]")) ? elements : nil
  }

  /// `null` as nil, else the value `read` reads; nil when neither.
  private mutating func optional<Value>(_ read: (inout Self) -> Value?) -> Value?? {
    if literal("null") { return .some(nil) }
    return read(&self).map { .some($0) }
  }

  private mutating func literal(_ word: StaticString) -> Bool {
    skipWhitespace()
    let count = word.utf8CodeUnitCount
    guard bytes.count - position >= count,
      memcmp(bytes.baseAddress! + position, word.utf8Start, count) == 0
    else { return false }
    position += count
    return true
  }

  private mutating func skipValue() -> Bool {
    skipWhitespace()
    switch current {
    case UInt8(ascii: "{"): return object { scanner, _ in scanner.skipValue() }
    case UInt8(ascii: "["): return array { $0.skipValue() ? true : nil } != nil
    case UInt8(ascii: "\""): return stringBytes() != nil
    case UInt8(ascii: "t"): return literal("true")
    case UInt8(ascii: "f"): return literal("false")
    case UInt8(ascii: "n"): return literal("null")
    default: return number() != nil
    }
  }

  /// A number's text as JSON's grammar has it, and whether it is an integer.
  private mutating func number() -> (text: Range<Int>, integer: Bool)? {
    skipWhitespace()
    let start = position
    func digits(_ scanner: inout Self) -> Int {
      let first = scanner.position
      while let byte = scanner.current, (0x30...0x39).contains(byte) { scanner.position += 1 }
      return scanner.position - first
    }
    if current == UInt8(ascii: "-") { position += 1 }
    let leading = position
    guard digits(&self) > 0, bytes[leading] != 0x30 || position - leading == 1 else { return nil }
    var integer = true
    if current == UInt8(ascii: ".") {
      position += 1
      integer = false
      guard digits(&self) > 0 else { return nil }
    }
    if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
      position += 1
      integer = false
      if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
      guard digits(&self) > 0 else { return nil }
    }
    return (start..<position, integer)
  }

  private func text(_ range: Range<Int>) -> String {
    String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
  }

  private mutating func double() -> Double? {
    guard let (range, _) = number(), let value = Double(text(range)), value.isFinite else {
      return nil
    }
    return value
  }

  /// Digits only, in range: anything else is the decoder's to judge.
  private mutating func integer() -> Int? {
    guard let (range, integer) = number(), integer else { return nil }
    return Int(text(range))
  }

  private mutating func string() -> String? {
    guard let (raw, escaped) = stringBytes() else { return nil }
    return escaped ? Self.unescaped(raw) : String(decoding: raw, as: UTF8.self)
  }

  /// A string's bytes between its quotes, and whether it has escapes.
  private mutating func stringBytes() -> (UnsafeRawBufferPointer, escaped: Bool)? {
    guard current == UInt8(ascii: "\"") else { return nil }
    position += 1
    let start = position
    var escaped = false
    while let byte = current, byte != UInt8(ascii: "\"") {
      guard byte >= 0x20 else { return nil }
      if byte == UInt8(ascii: "\\") {
        escaped = true
        position += 1
      }
      position += 1
    }
    guard current == UInt8(ascii: "\"") else { return nil }
    let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<position])
    position += 1
    return (raw, escaped)
  }

  private static func unescaped(_ raw: UnsafeRawBufferPointer) -> String? {
    var result: [UInt8] = []
    result.reserveCapacity(raw.count)
    var index = 0
    func hex(_ at: Int) -> UInt32? {
      at + 4 <= raw.count ? JSONEscape.unit(raw[at..<at + 4]) : nil
    }
    while index < raw.count {
      let byte = raw[index]
      index += 1
      guard byte == UInt8(ascii: "\\") else {
        result.append(byte)
        continue
      }
      guard index < raw.count else { return nil }
      let kind = raw[index]
      index += 1
      if let byte = JSONEscape.byte(for: kind) {
        result.append(byte)
        continue
      }
      guard kind == UInt8(ascii: "u"), var scalar = hex(index) else { return nil }
      index += 4
      if JSONEscape.isHighSurrogate(scalar) {
        // A high surrogate: its low half must follow.
        guard index + 6 <= raw.count, raw[index] == UInt8(ascii: "\\"),
          raw[index + 1] == UInt8(ascii: "u"), let low = hex(index + 2),
          let pair = JSONEscape.pair(high: scalar, low: low)
        else { return nil }
        index += 6
        scalar = pair
      }
      guard let character = Unicode.Scalar(scalar) else { return nil }
      result.append(contentsOf: String(character).utf8)
    }
    return String(validating: result, as: UTF8.self)
  }
}
