import Foundation
import Testing

@testable import OrchestrateCore

/// JSON pipeline files are read by the strict JSON reader into the tree YAML
/// files are read into: the same text read as either must make the same
/// pipeline, task lines included, and JSON's own rules still hold.
@Suite struct JSONReaderTests {
  let everything = """
    {
      "name": "omics", "description": "all fields", "schedule": "0 2 * * *",
      "env": {"A": "1", "B": "two words"}, "working_directory": "work", "max_parallel": 3,
      "timeout": 7200, "sources": ["sra", "geo"], "stuck_after": "8h", "max_age": "26h",
      "defaults": {"timeout": "30m", "kill_grace": 5, "retries": 1, "retry_delay": 0.5,
                   "retry_backoff": 2, "env": {"C": "3"}, "shell": "/bin/bash"},
      "logs": {"compress_after": "7d", "delete_after": "never", "compression": "zstd"},
      "anomalies": {"min_runs": 4, "runs": 10, "duration_factor": 2.5},
      "tasks": [
        {"name": "prepare", "run": "mkdir -p out", "timeout": 90},
        {"name": "extract", "for_each_source": true, "depends_on": ["prepare"],
         "argv": ["fetch", "--since", "yesterday"], "retries": 3, "env": {"D": "4"}},
        {"name": "merge", "depends_on": ["extract"], "run": "merge", "run_if": "always",
         "working_directory": "/tmp", "kill_grace": "1s"},
        {"name": "geo-only", "source": "geo", "run": "true"}
      ]
    }
    """

  func parse(_ text: String, file: String = "p.json") throws(PipelineError) -> Pipeline {
    try PipelineLoader.parse(Data(text.utf8), file: file, defaultName: "p")
  }

  /// The message of the error reading `text` as a JSON file.
  func problem(_ text: String) -> String {
    do {
      _ = try parse(text)
      return "no error"
    } catch {
      return error.description
    }
  }

  @Test func jsonAndYAMLReadTheSamePipelineWithTheSameLines() throws {
    func withoutFile(_ pipeline: Pipeline) -> Pipeline {
      var pipeline = pipeline
      pipeline.file = ""
      return pipeline
    }
    let json = try parse(everything)
    #expect(json.tasks.map(\.line) == [10, 11, 13, 15])
    #expect(withoutFile(json) == withoutFile(try parse(everything, file: "p.yaml")))
    let example = try String(
      contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../examples/ingestion.json"), encoding: .utf8)
    #expect(withoutFile(try parse(example)) == withoutFile(try parse(example, file: "p.yaml")))
  }

  @Test func escapesAreDecodedAsJSONMeansThem() throws {
    let pipeline = try parse(
      #"{"tasks": [{"name": "a", "argv": ["say", "caf\u00e9 \ud83d\ude00", "a\"b\\c\/d\te\nf"]}]}"#)
    #expect(pipeline.tasks[0].command == .argv(["say", "café 😀", "a\"b\\c/d\te\nf"]))
  }

  @Test func whatJSONRefusesIsRefusedWithItsPosition() {
    #expect(
      problem("{\"tasks\": [],}") == "p.json:1:13: trailing comma before '}' (JSON allows none)")
    #expect(problem("{\"tasks\": ['a']}").hasPrefix("p.json:1:12: strings take double quotes"))
    #expect(
      problem("{\"tasks\":\n  // a comment\n[]}").hasPrefix("p.json:2:3: JSON has no comments"))
    #expect(
      problem(#"{"tasks": [{"name": "a", "run": "true", "run": "false"}]}"#)
        == "p.json:1:41: duplicate key 'run'")
  }

  @Test func aProblemLateOnOneLongLineHasItsColumn() {
    // Generated files are often one line: the column is counted all the way.
    let tasks = (0..<500).map { #"{"name": "t\#($0)", "run": "true"}"# }
    let text = #"{"tasks": ["# + tasks.joined(separator: ", ") + #", {"name": "é", "run": []}]}"#
    let column = text.count - #"[]}]}"#.count + 1
    #expect(problem(text).hasPrefix("p.json:1:\(column):"), "\(problem(text).prefix(80))")
  }

  @Test func errorsOfTheFileNameTheLine() {
    let text =
      "{\n  \"tasks\": [\n    {\"name\": \"a\", \"run\": \"true\", \"depends_on\": [\"nope\"]}\n  ]\n}"
    #expect(problem(text).hasPrefix("p.json:3"), "\(problem(text))")
  }
}
