import FoundationEssentials

/// Reading a JSON pipeline file with Foundation's JSON decoder, which is
/// many times faster than going through a YAML node tree (a 300-task file
/// took longer to load than to run). It only ever says yes: anything it does
/// not accept, duplicate keys included, goes the full YAML way, which
/// remains the authority on what a file means and says precisely what is
/// wrong and on which line.
enum JSONFastPath {
  static func definition(_ data: Data) -> PipelineDefinition? {
    let accepted = data.withUnsafeBytes { bytes -> Bool in
      guard let first = bytes.first(where: { !isWhitespace($0) }), first == UInt8(ascii: "{")
      else { return false }
      return !hasDuplicateKeys(bytes)
    }
    guard accepted else { return nil }
    return try? JSONDecoder().decode(PipelineDefinition.self, from: data)
  }

  /// Whether some object repeats a key, which JSON decoders silently allow
  /// and a pipeline file must not. Assumes well-formed JSON; on anything
  /// else the decoder fails anyway.
  static func hasDuplicateKeys(_ bytes: UnsafeRawBufferPointer) -> Bool {
    // One entry per open container: the keys seen, or nil for an array.
    var containers: [Set<[UInt8]>?] = []
    var index = 0
    while index < bytes.count {
      switch bytes[index] {
      case UInt8(ascii: "{"): containers.append([])
      case UInt8(ascii: "["): containers.append(nil)
      case UInt8(ascii: "}"), UInt8(ascii: "]"): _ = containers.popLast()
      case UInt8(ascii: "\""):
        let start = index + 1
        index = start
        while index < bytes.count && bytes[index] != UInt8(ascii: "\"") {
          index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
        }
        let string = Array(bytes[start..<min(index, bytes.count)])
        var next = index + 1
        while next < bytes.count && isWhitespace(bytes[next]) { next += 1 }
        if next < bytes.count, bytes[next] == UInt8(ascii: ":"),
          let last = containers.indices.last, containers[last] != nil
        {
          guard containers[last]!.insert(string).inserted else { return true }
        }
      default: break
      }
      index += 1
    }
    return false
  }

  private static func isWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
  }
}
