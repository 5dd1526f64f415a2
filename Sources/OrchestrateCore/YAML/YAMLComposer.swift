import CYAML

/// A YAML syntax error as libyaml reports it: what is wrong, where, and
/// what the parser was reading (`while parsing a block mapping`).
public struct YAMLSyntaxError: Error, Sendable {
  public var problem: String
  public var context: String?
  /// Where the problem is; nil for errors in the byte stream itself.
  public var mark: YAMLMark?

  public var message: String { context.map { "\(problem) \($0)" } ?? problem }
}

/// Builds the node tree of a one-document YAML text from libyaml's parser
/// events, resolving aliases to the nodes their anchors name.
public enum YAMLComposer {
  /// The document's root node; nil for a text with no document.
  public static func compose(_ text: String) throws(YAMLSyntaxError) -> YAMLNode? {
    var parser = yaml_parser_t()
    guard yaml_parser_initialize(&parser) == 1 else {
      throw YAMLSyntaxError(problem: "out of memory", mark: nil)
    }
    defer { yaml_parser_delete(&parser) }
    var bytes = Array(text.utf8)
    return try bytes.withUnsafeMutableBufferPointer { buffer throws(YAMLSyntaxError) in
      yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
      yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
      var events = EventReader(parser: &parser)
      return try events.document()
    }
  }
}

/// One pass over the parser's events, building nodes as they close.
private struct EventReader {
  let parser: UnsafeMutablePointer<yaml_parser_t>
  var anchors: [String: YAMLNode] = [:]
  var depth = 0
  /// Deeper nesting than any pipeline needs; the limit keeps a hostile file
  /// from exhausting the stack.
  static let maximumDepth = 500

  init(parser: UnsafeMutablePointer<yaml_parser_t>) { self.parser = parser }

  mutating func document() throws(YAMLSyntaxError) -> YAMLNode? {
    var root: YAMLNode?
    while true {
      var event = try next()
      defer { yaml_event_delete(&event) }
      switch event.type {
      case YAML_STREAM_END_EVENT:
        return root
      case YAML_DOCUMENT_START_EVENT:
        if root != nil {
          throw YAMLSyntaxError(
            problem: "expected a single document in the stream",
            context: "but found another document", mark: mark(event.start_mark))
        }
      case YAML_STREAM_START_EVENT, YAML_DOCUMENT_END_EVENT:
        break
      default:
        root = try node(from: &event)
      }
    }
  }

  private mutating func next() throws(YAMLSyntaxError) -> yaml_event_t {
    var event = yaml_event_t()
    guard yaml_parser_parse(parser, &event) == 1 else { throw error() }
    return event
  }

  /// The node that starts with `event` (its end events consumed).
  private mutating func node(from event: inout yaml_event_t) throws(YAMLSyntaxError) -> YAMLNode {
    let start = mark(event.start_mark)
    switch event.type {
    case YAML_ALIAS_EVENT:
      let name = String(cString: event.data.alias.anchor)
      guard let node = anchors[name] else {
        throw YAMLSyntaxError(problem: "found undefined alias '\(name)'", mark: start)
      }
      return node
    case YAML_SCALAR_EVENT:
      let data = event.data.scalar
      let text = String(
        decoding: UnsafeBufferPointer(start: data.value, count: data.length), as: UTF8.self)
      let node = YAMLNode.scalar(
        YAMLScalar(
          text: text, style: style(data.style), tag: tag(data.tag), mark: start))
      remember(node, anchor: data.anchor)
      return node
    case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
      depth += 1
      defer { depth -= 1 }
      guard depth <= Self.maximumDepth else {
        throw YAMLSyntaxError(
          problem: "nested deeper than \(Self.maximumDepth) levels", mark: start)
      }
      return try collection(from: &event, start: start)
    default:
      throw YAMLSyntaxError(problem: "unexpected parser event \(event.type.rawValue)", mark: start)
    }
  }

  private mutating func collection(
    from event: inout yaml_event_t, start: YAMLMark
  ) throws(YAMLSyntaxError) -> YAMLNode {
    switch event.type {
    case YAML_SEQUENCE_START_EVENT:
      let anchor = event.data.sequence_start.anchor.map { String(cString: $0) }
      var elements: [YAMLNode] = []
      while true {
        var child = try next()
        defer { yaml_event_delete(&child) }
        if child.type == YAML_SEQUENCE_END_EVENT { break }
        elements.append(try node(from: &child))
      }
      let node = YAMLNode.sequence(elements, start)
      if let anchor { anchors[anchor] = node }
      return node
    default:  // YAML_MAPPING_START_EVENT
      let anchor = event.data.mapping_start.anchor.map { String(cString: $0) }
      var pairs: [(key: YAMLNode, value: YAMLNode)] = []
      while true {
        var keyEvent = try next()
        defer { yaml_event_delete(&keyEvent) }
        if keyEvent.type == YAML_MAPPING_END_EVENT { break }
        let key = try node(from: &keyEvent)
        var valueEvent = try next()
        defer { yaml_event_delete(&valueEvent) }
        pairs.append((key, try node(from: &valueEvent)))
      }
      let node = YAMLNode.mapping(pairs, start)
      if let anchor { anchors[anchor] = node }
      return node
    }
  }

  private mutating func remember(_ node: YAMLNode, anchor: UnsafeMutablePointer<yaml_char_t>?) {
    if let anchor { anchors[String(cString: anchor)] = node }
  }

  private func style(_ style: yaml_scalar_style_t) -> YAMLScalar.Style {
    switch style {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
    case YAML_LITERAL_SCALAR_STYLE: .literal
    case YAML_FOLDED_SCALAR_STYLE: .folded
    default: .plain
    }
  }

  private func tag(_ tag: UnsafeMutablePointer<yaml_char_t>?) -> String? {
    guard let tag else { return nil }
    let text = String(cString: tag)
    return text == "!" ? nil : text
  }

  private func mark(_ mark: yaml_mark_t) -> YAMLMark {
    YAMLMark(line: mark.line + 1, column: mark.column + 1)
  }

  private func error() -> YAMLSyntaxError {
    let state = parser.pointee
    let problem = state.problem.map { String(cString: $0) } ?? "cannot be parsed"
    if state.error == YAML_READER_ERROR {
      return YAMLSyntaxError(problem: "\(problem) at byte \(state.problem_offset)", mark: nil)
    }
    return YAMLSyntaxError(
      problem: problem, context: state.context.map { String(cString: $0) },
      mark: mark(state.problem_mark))
  }
}
