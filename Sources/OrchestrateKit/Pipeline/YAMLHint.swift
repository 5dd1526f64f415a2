/// The two YAML mistakes people make most, named where the parser's own
/// words do not: a `: ` inside an unquoted value (`run: echo a: b`) and
/// tabs, which YAML does not allow for indentation.
enum YAMLHint {
  static func added(to error: PipelineError, text: String) -> PipelineError {
    guard let hint = hint(for: error, text: text) else { return error }
    var hinted = error
    hinted.message += " (\(hint))"
    return hinted
  }

  static func hint(for error: PipelineError, text: String) -> String? {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    // The parser often notices a tab only on the line after it.
    let nearby =
      error.line.map { line in
        lines[max(0, line - 2)..<min(lines.count, line)]
      } ?? []
    if error.message.contains("tab") || nearby.contains(where: { $0.contains("\t") }) {
      return "a tab character: indent with spaces"
    }
    if error.message.contains("mapping values are not allowed") {
      return "a ': ' inside an unquoted value? quote the value or use a block scalar |"
    }
    return nil
  }
}
