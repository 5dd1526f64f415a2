/// The common item line read without Foundation's decoder: one flat object
/// whose values are plain strings (no escape) or numbers, such as
/// `{"item": "GSE1", "stage": "fetched", "status": "done", "size": 12}`.
/// A task reporting 100,000 items spent three seconds in the decoder;
/// anything else (escapes, `attrs`, a key given twice, `null`) returns nil
/// and is read by the decoder, so both read the same lines alike.
enum ItemLineScanner {
  struct Fields {
    var item: String?
    var stage: String?
    var status: String?
    var error: String?
    var source: String?
    var size: Double?
  }

  static func scan(_ line: UnsafeBufferPointer<UInt8>) -> Fields? {
    var index = 0
    let count = line.count
    func skipSpace() {
      while index < count,
        line[index] == 0x20 || line[index] == 0x09 || line[index] == 0x0D || line[index] == 0x0A
      {
        index += 1
      }
    }
    /// A string without escapes or control characters; nil otherwise.
    func string() -> String? {
      guard index < count, line[index] == UInt8(ascii: "\"") else { return nil }
      let start = index + 1
      var end = start
      while end < count, line[end] != UInt8(ascii: "\"") {
        if line[end] == UInt8(ascii: "\\") || line[end] < 0x20 { return nil }
        end += 1
      }
      guard end < count else { return nil }
      index = end + 1
      return String(validating: UnsafeBufferPointer(rebasing: line[start..<end]), as: UTF8.self)
    }
    func number() -> Double? {
      let start = index
      while index < count,
        (line[index] >= UInt8(ascii: "0") && line[index] <= UInt8(ascii: "9"))
          || line[index] == UInt8(ascii: "-") || line[index] == UInt8(ascii: "+")
          || line[index] == UInt8(ascii: ".") || line[index] == UInt8(ascii: "e")
          || line[index] == UInt8(ascii: "E")
      {
        index += 1
      }
      guard index > start,
        let text = String(
          validating: UnsafeBufferPointer(rebasing: line[start..<index]), as: UTF8.self),
        JSONNumber.isValid(text)
      else { return nil }
      return Double(text)
    }
    var fields = Fields()
    var seen = Set<String>()
    skipSpace()
    guard index < count, line[index] == UInt8(ascii: "{") else { return nil }
    index += 1
    skipSpace()
    if index < count, line[index] == UInt8(ascii: "}") { return nil }
    while true {
      skipSpace()
      guard let key = string(), seen.insert(key).inserted else { return nil }
      skipSpace()
      guard index < count, line[index] == UInt8(ascii: ":") else { return nil }
      index += 1
      skipSpace()
      if key == "size" {
        guard let size = number() else { return nil }
        fields.size = size
      } else {
        guard let value = string() else { return nil }
        switch key {
        case "item": fields.item = value
        case "stage": fields.stage = value
        case "status": fields.status = value
        case "error": fields.error = value
        case "source": fields.source = value
        default: return nil
        }
      }
      skipSpace()
      guard index < count else { return nil }
      if line[index] == UInt8(ascii: ",") {
        index += 1
        continue
      }
      guard line[index] == UInt8(ascii: "}") else { return nil }
      index += 1
      skipSpace()
      return index == count ? fields : nil
    }
  }
}

/// JSON's number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
enum JSONNumber {
  static func isValid(_ text: String) -> Bool {
    var bytes = Array(text.utf8)[...]
    func digits() -> Int {
      var n = 0
      while let byte = bytes.first, byte >= 0x30 && byte <= 0x39 {
        bytes.removeFirst()
        n += 1
      }
      return n
    }
    if bytes.first == UInt8(ascii: "-") { bytes.removeFirst() }
    if bytes.first == UInt8(ascii: "0") {
      bytes.removeFirst()
    } else if digits() == 0 {
      return false
    }
    if bytes.first == UInt8(ascii: ".") {
      bytes.removeFirst()
      if digits() == 0 { return false }
    }
    if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
      bytes.removeFirst()
      if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") {
        bytes.removeFirst()
      }
      if digits() == 0 { return false }
    }
    return bytes.isEmpty
  }
}
