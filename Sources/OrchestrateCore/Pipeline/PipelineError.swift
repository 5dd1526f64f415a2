/// A pipeline file that cannot run, with where the problem is.
/// Rendered as one line: `pipelines/daily.yaml:12:7: tasks[2].timeout: 'soon' is not a duration`.
public struct PipelineError: Error, CustomStringConvertible, Equatable {
  public var file: String
  public var line: Int?
  public var column: Int?
  /// The field path (`tasks[2].timeout`) or the task (`task 'load'`) concerned.
  public var field: String?
  public var message: String
  /// Further problems found in the same pass (in other tasks), so that one
  /// `validate` names them all.
  public var more: [PipelineError] = []

  /// This problem and the others found with it.
  public var all: [PipelineError] { [self] + more.flatMap(\.all) }

  public init(
    file: String, line: Int? = nil, column: Int? = nil, field: String? = nil, message: String
  ) {
    self.file = file
    self.line = line
    self.column = column
    self.field = field
    self.message = message
  }

  public var description: String {
    // A file name can hold anything a terminal acts on (a newline, U+202E).
    var location = TerminalText.escaped(file)
    if let line {
      location += ":\(line)"
      if let column { location += ":\(column)" }
    }
    if let field { return "\(location): \(field): \(message)" }
    return "\(location): \(message)"
  }
}
