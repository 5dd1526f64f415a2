import Foundation
import Testing

@testable import OrchestrateStatus

/// Where an error points, and the hints for the usual YAML and JSON slips.
@Suite struct PipelineSyntaxTests {
  func rejection(_ text: String, file: String) -> PipelineError? {
    do {
      _ = try PipelineLoader.parse(Data(text.utf8), file: file, defaultName: "p")
      return nil
    } catch {
      return error
    }
  }

  @Test func aColonInsideAnUnquotedValueGetsAHint() throws {
    let error = try #require(
      rejection("tasks:\n  - name: a\n    run: echo time: now\n", file: "p.yaml"))
    #expect(error.line == 3)
    #expect(error.column == 19)
    #expect(
      error.message.hasSuffix(
        "(a ': ' inside an unquoted value? quote the value or use a block scalar |)"))
  }

  @Test(arguments: [
    "tasks:\n  - name: a\n\trun: echo\n",
    "tasks:\n\t- name: a\n  run: echo\n",
  ])
  func tabsGetAHint(text: String) throws {
    let error = try #require(rejection(text, file: "p.yaml"))
    #expect(error.line != nil && error.column != nil)
    #expect(error.message.hasSuffix("(a tab character: indent with spaces)"), "\(error)")
  }

  @Test func otherYAMLErrorsGetNoHint() throws {
    let error = try #require(rejection("tasks: [{name: a, run: 'true'", file: "p.yaml"))
    #expect(!error.message.contains("("), "\(error)")
  }

  /// A JSON file is JSON: what the YAML parser would forgive, jq would not.
  @Test(arguments: [
    (#"{"tasks": [{"name": "a", "run": "true"},]}"#, 1, 40, "trailing comma before ']'"),
    ("{\"tasks\": [{\"name\": \"a\", \"run\": \"true\"}],\n}", 1, 41, "trailing comma before '}'"),
    ("{\"tasks\": [{'name': \"a\"}]}", 1, 13, "double quotes"),
    ("{\n  // nightly\n  \"tasks\": []}", 2, 3, "expected a key in double quotes"),
    ("{\"tasks\": [{\"name\": a}]}", 1, 21, "expected a value, found 'a'"),
    ("{\"tasks\": [] \"name\": \"x\"}", 1, 14, "expected ',' or '}'"),
    ("{\"tasks\": [{\"name\": \"a\", \"timeout\": 01}]}", 1, 37, "cannot start with 0"),
    ("{\"tasks\": [", 1, 12, "found end of file"),
    ("{\"tasks\": []} {}", 1, 15, "after the top-level value"),
    ("{\"name\": \"caf\u{e9}\", \"x\": ,}", 1, 23, "expected a value, found ','"),
  ])
  func jsonIsParsedStrictly(text: String, line: Int, column: Int, message: String) throws {
    let error = try #require(rejection(text, file: "p.json"), "accepted: \(text)")
    #expect(error.line == line, "\(error)")
    #expect(error.column == column, "\(error)")
    #expect(error.message.contains(message), "\(error)")
  }

  @Test func strictJSONStillAcceptsWhatJSONAllows() throws {
    let pipeline = try PipelineLoader.parse(
      Data(
        #"{"description": "caf\u00e9", "tasks": [{"name": "a", "run": "echo \"x\"\n", "timeout": 1.5e2, "retries": 0}], "env": {}}"#
          .utf8), file: "p.json", defaultName: "p")
    #expect(pipeline.description == "café")
    #expect(pipeline.tasks[0].timeout == .seconds(150))
  }

  /// Errors found after decoding point at the value they are about.
  @Test(arguments: [
    ("tasks:\n  - name: a\n    run: x\n    timeout: 0\n", 4, 14, "tasks[0].timeout"),
    ("name: bad/name\ntasks: [{name: a, run: x}]\n", 1, 7, "name"),
    (
      "tasks:\n  - {name: a, run: x}\n  - {name: b, run: x, depends_on: [a, c]}\n", 3, 39,
      "tasks[1].depends_on[1]"
    ),
    ("tasks:\n  - {name: a, run: x}\n  - {name: a, run: y}\n", 3, 12, "tasks[1].name"),
    ("max_parallel: 0\ntasks: [{name: a, run: x}]\n", 1, 15, "max_parallel"),
    ("sources: [a, a]\ntasks: [{name: a, run: x}]\n", 1, 14, "sources[1]"),
    (
      "environments:\n  prod.eu: {max_parallel: 0}\ntasks: [{name: a, run: x}]\n", 2, 27,
      "environments.prod.eu.max_parallel"
    ),
    ("anomalies: {counter_low: 2}\ntasks: [{name: a, run: x}]\n", 1, 26, "anomalies.counter_low"),
  ])
  func validationErrorsCarryLineAndColumn(text: String, line: Int, column: Int, field: String)
    throws
  {
    let error = try #require(rejection(text, file: "p.yaml"), "accepted: \(text)")
    #expect(error.field == field, "\(error)")
    #expect(error.line == line, "\(error)")
    #expect(error.column == column, "\(error)")
  }

  @Test func jsonFilesGetLinesAndColumnsForValidationErrorsToo() throws {
    let error = try #require(
      rejection(
        "{\"tasks\": [\n  {\"name\": \"a\", \"run\": \"x\", \"timeout\": 0}\n]}", file: "p.json"))
    #expect(error.description == "p.json:2:40: tasks[0].timeout: must be longer than zero")
  }
}
