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
    // Lines as libyaml counts them: a lone \r ends one too. The line an
    // error names is never trusted to be in range (a trap, found by fuzzing).
    let lines = text.split(omittingEmptySubsequences: false) {
      $0 == "\n" || $0 == "\r" || $0 == "\r\n"
    }
    // The parser often notices a tab only on the line after it.
    var nearby: ArraySlice<Substring> = []
    if let line = error.line {
      let upper = min(max(0, line), lines.count)
      nearby = lines[min(max(0, line - 2), upper)..<upper]
    }
    if error.message.contains("tab") || nearby.contains(where: { $0.contains("\t") }) {
      return "a tab character: indent with spaces"
    }
    if error.message.contains("mapping values are not allowed") {
      return "a ': ' inside an unquoted value? quote the value or use a block scalar |"
    }
    return nil
  }
}
