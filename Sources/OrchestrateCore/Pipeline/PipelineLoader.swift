import FoundationEssentials
import Glibc

/// Reads a pipeline file (YAML or JSON, one schema) into a validated `Pipeline`.
/// Every problem becomes one `PipelineError` naming the file and, where the
/// parser knows it, the line, column and field.
public enum PipelineLoader {
  /// Larger than any hand-written pipeline, small enough to parse at once.
  public static let maximumFileBytes = 64 << 20
  /// Aliases let a short file describe an enormous tree ("billion laughs").
  /// Without aliases a node takes at least two bytes of text, so a tree
  /// larger than the file in bytes (and than a fixed floor) is a bomb.
  static let minimumNodeBudget = 1_000_000

  static func nodeBudget(fileSize: Int) -> Int { max(minimumNodeBudget, fileSize) }

  public static func load(file path: String) throws(PipelineError) -> Pipeline {
    let data = try read(path)
    let stem = PathName.droppingExtension(PathName.last(path))
    return try parse(data, file: path, defaultName: stem)
  }

  /// Parses file contents; `file` is only used in messages and the record,
  /// and its extension says how: `.json` strictly as JSON, anything else as YAML.
  public static func parse(
    _ data: Data, file: String, defaultName: String
  ) throws(PipelineError) -> Pipeline {
    func fail(_ message: String, line: Int? = nil, column: Int? = nil) -> PipelineError {
      PipelineError(file: file, line: line, column: column, message: message)
    }
    guard let text = String(validating: data, as: UTF8.self) else {
      let offset = firstInvalidUTF8Offset(data)
      return try { () throws(PipelineError) in
        throw fail("not UTF-8 text (invalid byte at offset \(offset))")
      }()
    }
    if text.contains("\0") { throw fail("contains a NUL byte") }

    let root: YAMLNode
    if file.lowercased().hasSuffix(".json") {
      do throws(JSONReader.Problem) {
        root = try JSONReader.read(Array(data))
      } catch {
        throw fail(error.message, line: error.line, column: error.column)
      }
    } else {
      root = try composeYAML(text, file: file)
    }
    let validator = PipelineValidator(file: file, sha256: SHA256.hex(of: data))
    let limit = nodeBudget(fileSize: data.count)
    var budget = limit
    try checkStructure(root, budget: &budget, limit: limit, file: file)
    guard root.mapping != nil else {
      throw fail("the top level must be a mapping with a 'tasks' list", line: root.mark.line)
    }

    let definition: PipelineDefinition
    do {
      definition = try YAMLNodeDecoder().decode(PipelineDefinition.self, from: root)
    } catch let error as DecodingError {
      throw describe(error, root: root, file: file)
    } catch {
      throw fail("\(error)")
    }
    do {
      return try validator.validate(definition, defaultName: defaultName)
    } catch {
      throw locate(error, in: root)
    }
  }

  private static func composeYAML(_ text: String, file: String) throws(PipelineError) -> YAMLNode {
    do {
      guard let composed = try YAMLComposer.compose(text) else {
        throw PipelineError(file: file, message: "the file is empty")
      }
      return composed
    } catch let error as PipelineError {
      throw error
    } catch let error as YAMLSyntaxError {
      let described = PipelineError(
        file: file, line: error.mark?.line, column: error.mark?.column, message: error.message)
      throw YAMLHint.added(to: described, text: text)
    } catch {
      throw PipelineError(file: file, message: "cannot be read as YAML or JSON: \(error)")
    }
  }

  private static func read(_ path: String) throws(PipelineError) -> Data {
    func fail(_ message: String) -> PipelineError { PipelineError(file: path, message: message) }
    var info = stat()
    guard stat(path, &info) == 0 else {
      throw fail(errno == ENOENT ? "no such file" : String(cString: strerror(errno)))
    }
    if info.st_mode & S_IFMT == S_IFDIR { throw fail("is a directory, not a pipeline file") }
    if Int(info.st_size) > maximumFileBytes {
      throw fail(
        "is too large (\(info.st_size) bytes; a pipeline file may have at most \(maximumFileBytes))"
      )
    }
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw fail("cannot be read: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var data = Data(count: Int(info.st_size))
    var filled = 0
    while true {
      if filled == data.count {
        // The file grew since stat: read on, within the limit.
        guard data.count <= maximumFileBytes else { throw fail("is too large") }
        data.count += 64 << 10
      }
      let count = data.withUnsafeMutableBytes {
        Glibc.read(fd, $0.baseAddress! + filled, $0.count - filled)
      }
      if count < 0 && errno == EINTR { continue }
      guard count >= 0 else { throw fail("cannot be read: \(String(cString: strerror(errno)))") }
      if count == 0 { break }
      filled += count
    }
    data.count = filled
    if data.count > maximumFileBytes { throw fail("is too large") }
    return data
  }

  /// Rejects duplicate keys (YAML allows the parser to keep either) and alias
  /// bombs, walking the tree once with a node budget.
  private static func checkStructure(
    _ node: YAMLNode, budget: inout Int, limit: Int, file: String
  ) throws(PipelineError) {
    budget -= 1
    if budget < 0 {
      throw PipelineError(
        file: file, line: node.mark.line,
        message: "expands to more than \(limit) nodes (aliases nested too deep?)")
    }
    switch node {
    case .mapping(let pairs, _):
      var seen = Set<String>()
      for (key, value) in pairs {
        if let name = key.string, !seen.insert(name).inserted {
          throw PipelineError(
            file: file, line: key.mark.line, column: key.mark.column,
            message: "duplicate key '\(name)'")
        }
        try checkStructure(key, budget: &budget, limit: limit, file: file)
        try checkStructure(value, budget: &budget, limit: limit, file: file)
      }
    case .sequence(let elements, _):
      for element in elements {
        try checkStructure(element, budget: &budget, limit: limit, file: file)
      }
    case .scalar:
      break
    }
  }

  private static func describe(_ error: DecodingError, root: YAMLNode, file: String)
    -> PipelineError
  {
    let (path, message): ([CodingKey], String)
    switch error {
    case .typeMismatch(let type, let context):
      (path, message) = (context.codingPath, "expected \(typeName(type))")
    case .valueNotFound(let type, let context):
      (path, message) = (context.codingPath, "expected \(typeName(type)), found nothing")
    case .keyNotFound(let key, let context):
      (path, message) = (context.codingPath + [key], "is required")
    case .dataCorrupted(let context):
      (path, message) = (context.codingPath, context.debugDescription)
    @unknown default:
      (path, message) = ([], "\(error)")
    }
    let located = node(at: path, in: root)
    let mark = located?.mark
    var column = mark?.column
    // A cron expression's error points inside the value, past its opening quote.
    if case .dataCorrupted(let context) = error,
      let cron = context.underlyingError as? CronSyntaxError, let scalar = located?.scalar
    {
      let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
      column = column.map { $0 + cron.offset + (quoted ? 1 : 0) }
    }
    return PipelineError(
      file: file, line: mark?.line, column: column, field: fieldPath(path), message: message)
  }

  /// The deepest node along `path` that exists, for its line and column.
  private static func node(at path: [CodingKey], in root: YAMLNode) -> YAMLNode? {
    var current = root
    for key in path {
      if let index = key.intValue, let sequence = current.sequence, index < sequence.count {
        current = sequence[index]
      } else if let value = current[key.stringValue] {
        current = value
      } else {
        break
      }
    }
    return current
  }

  static func fieldPath(_ path: [CodingKey]) -> String? {
    var text = ""
    for key in path {
      if let index = key.intValue {
        text += "[\(index)]"
      } else {
        text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
      }
    }
    return text.isEmpty ? nil : text
  }

  private static func typeName(_ type: Any.Type) -> String {
    switch type {
    case is String.Type: "a single value"
    case is Int.Type: "a whole number"
    case is Double.Type: "a number"
    case is Bool.Type: "true or false"
    case is [Any].Type: "a list"
    default: "a mapping"
    }
  }

  private static func firstInvalidUTF8Offset(_ data: Data) -> Int {
    var decoder = UTF8()
    var iterator = data.makeIterator()
    var offset = 0
    var consumed = 0
    while true {
      switch decoder.decode(&iterator) {
      case .scalarValue(let scalar):
        consumed += UTF8.width(scalar)
        offset = consumed
      case .emptyInput: return offset
      case .error: return offset
      }
    }
  }
}
