import Foundation
import Testing

@testable import OrchestrateCore
@testable import OrchestrateStatus

/// JSON files are read by Foundation's decoder when it accepts them; the
/// result must be what the YAML way makes of the same file.
@Suite struct JSONFastPathTests {
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

  /// Both ways; task lines, which only error messages use, left out.
  func both(_ data: Data) throws -> (fast: Pipeline, full: Pipeline) {
    var full = try PipelineLoader.parse(data, file: "p.json", defaultName: "p", fastJSON: false)
    for index in full.tasks.indices { full.tasks[index].line = nil }
    return (try PipelineLoader.parse(data, file: "p.json", defaultName: "p"), full)
  }

  @Test func fastAndFullReadTheSamePipeline() throws {
    #expect(JSONFastPath.definition(Data(everything.utf8)) != nil, "the fast way takes it")
    let (fast, full) = try both(Data(everything.utf8))
    #expect(fast == full)
    let example = try Data(
      contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../examples/ingestion.json"))
    #expect(JSONFastPath.definition(example) != nil)
    let (fastExample, fullExample) = try both(example)
    #expect(fastExample == fullExample)
  }

  @Test func duplicateKeysGoTheFullWayAndAreRefused() throws {
    let duplicated = #"{"tasks": [{"name": "a", "run": "true", "run": "false"}]}"#
    #expect(JSONFastPath.definition(Data(duplicated.utf8)) == nil)
    #expect(throws: PipelineError.self) {
      try PipelineLoader.parse(Data(duplicated.utf8), file: "p.json", defaultName: "p")
    }
    let escaped = #"{"tasks": [{"name": "a\"b", "run": "x:y", "depends_on": []}], "name": "n"}"#
    #expect(!JSONFastPath.hasDuplicateKeysIn(escaped))
  }

  @Test func errorsStillNameTheLine() throws {
    let text =
      "{\n  \"tasks\": [\n    {\"name\": \"a\", \"run\": \"true\", \"depends_on\": [\"nope\"]}\n  ]\n}"
    do {
      _ = try PipelineLoader.parse(Data(text.utf8), file: "p.json", defaultName: "p")
      Issue.record("an unknown dependency must be refused")
    } catch {
      #expect(error.description.hasPrefix("p.json:3"), "\(error.description)")
    }
  }
}

extension JSONFastPath {
  static func hasDuplicateKeysIn(_ text: String) -> Bool {
    Data(text.utf8).withUnsafeBytes { hasDuplicateKeys($0) }
  }
}
