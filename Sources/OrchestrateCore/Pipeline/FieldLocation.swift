import FoundationEssentials

/// Line and column for errors found after decoding (by the validator, or
/// on this machine before a run), from the field path they name: the
/// decoded definition no longer knows where its values were written.
extension PipelineLoader {
  /// `error` with the position of its field in `root`, where found.
  static func locate(_ error: PipelineError, in root: YAMLNode) -> PipelineError {
    var located = error
    located.more = error.more.map { locate($0, in: root) }
    guard let field = error.field, let (node, exact) = node(atField: field, in: root)
    else { return located }
    let mark = node.mark
    if exact || error.line == nil || error.line == mark.line {
      located.line = mark.line
      located.column = mark.column
    }
    return located
  }

  /// `error` with the position of its field, read again from its file; for
  /// errors found after loading, which are rare enough to pay for a parse.
  public static func locate(_ error: PipelineError) -> PipelineError {
    guard error.column == nil, error.field != nil,
      let data = FileManager.default.contents(atPath: error.file),
      let text = String(validating: data, as: UTF8.self),
      let root = try? YAMLComposer.compose(text)
    else { return error }
    return locate(error, in: root)
  }

  /// The node a field path (`tasks[2].argv[0]`, `environments.prod.env_file`)
  /// names, or the deepest one along it that exists (`exact` false). Keys
  /// may contain dots, so a key is matched with as many segments as needed.
  static func node(atField field: String, in root: YAMLNode) -> (YAMLNode, exact: Bool)? {
    var segments = ArraySlice(segments(of: field))
    var current = root
    while let first = segments.first {
      if case .index(let index) = first {
        guard let sequence = current.sequence, index < sequence.count else {
          return (current, false)
        }
        current = sequence[index]
        segments = segments.dropFirst()
        continue
      }
      var key = ""
      var found: (YAMLNode, Int)?
      for (count, segment) in segments.enumerated() {
        guard case .key(let name) = segment else { break }
        key += key.isEmpty ? name : ".\(name)"
        if let value = current[key] {
          found = (value, count + 1)
          break
        }
      }
      guard let (value, used) = found else { return (current, false) }
      current = value
      segments = segments.dropFirst(used)
    }
    return (current, true)
  }

  private enum Segment {
    case key(String)
    case index(Int)
  }

  private static func segments(of field: String) -> [Segment] {
    var result: [Segment] = []
    for part in field.split(separator: ".", omittingEmptySubsequences: false) {
      var rest = Substring(part)
      if let bracket = rest.firstIndex(of: "[") {
        if bracket > rest.startIndex { result.append(.key(String(rest[..<bracket]))) }
        rest = rest[bracket...]
        while rest.hasPrefix("["), let close = rest.firstIndex(of: "]"),
          let index = Int(rest[rest.index(after: rest.startIndex)..<close])
        {
          result.append(.index(index))
          rest = rest[rest.index(after: close)...]
        }
      } else {
        result.append(.key(String(rest)))
      }
    }
    return result
  }
}
