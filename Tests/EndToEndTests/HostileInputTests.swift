import Foundation
import OrchestrateKit
import Testing

/// Broken and hostile pipeline files: exit 2, one line naming the file and
/// the problem, nothing created, no crash and no hang.
@Suite(.serialized) struct HostileInputTests {
  static let cases: [(name: String, contents: [UInt8], message: String)] = [
    ("syntax.yaml", Array("tasks:\n  - name: a\n    run: [unclosed\n".utf8), "syntax.yaml:4:"),
    ("types.yaml", Array("tasks: [{name: a, run: x, retries: [1]}]".utf8), "tasks[0].retries"),
    (
      "unknown.yaml", Array("tasks: [{name: a, run: x, depend_on: [b]}]".utf8),
      "unknown field 'depend_on'"
    ),
    ("neither.yaml", Array("tasks: [{name: a}]".utf8), "needs 'run'"),
    ("both.yaml", Array("tasks: [{name: a, run: x, argv: [x]}]".utf8), "both 'run' and 'argv'"),
    ("twice.yaml", Array("tasks: [{name: a, run: x}, {name: a, run: x}]".utf8), "used twice"),
    (
      "dangling.yaml", Array("tasks: [{name: a, run: x, depends_on: [zz]}]".utf8),
      "unknown task 'zz'"
    ),
    (
      "cycle.yaml",
      Array("tasks: [{name: a, run: x, depends_on: [b]}, {name: b, run: x, depends_on: [a]}]".utf8),
      "dependency cycle: a -> b -> a"
    ),
    (
      "soon.yaml", Array("tasks: [{name: a, run: x, timeout: soon}]".utf8),
      "'soon' is not a duration"
    ),
    (
      "negative.yaml", Array("tasks: [{name: a, run: x, retry_delay: -3s}]".utf8),
      "'-3s' is not a duration"
    ),
    // Numbers past what the clock arithmetic holds: refused where they are
    // read, never an overflow trap (exit 132) in validate, a run or rotate.
    (
      "huge-days.yaml", Array("tasks: [{name: a, run: x, timeout: 9999999999999999d}]".utf8),
      "tasks[0].timeout: '9999999999999999d' is out of range (at most 36500d"
    ),
    (
      "huge-hours.yaml",
      Array("tasks: [{name: a, run: x, retry_delay: 99999999999999999999h}]".utf8),
      "tasks[0].retry_delay: '99999999999999999999h' is out of range"
    ),
    (
      "huge-seconds.json",
      Array(#"{"tasks": [{"name": "a", "run": "x", "kill_grace": 99999999999999999999}]}"#.utf8),
      "tasks[0].kill_grace: '99999999999999999999' is out of range"
    ),
    (
      "int64-days.yaml", Array("timeout: 106751991167301d\ntasks: [{name: a, run: x}]".utf8),
      "timeout: '106751991167301d' is out of range"
    ),
    (
      "huge-window.yaml",
      Array("anomalies: {min_runs: 9223372036854775807}\ntasks: [{name: a, run: x}]".utf8),
      "anomalies.min_runs: must be between 1 and 10000"
    ),
    // Names whose files would be another task's or orchestrate's own, or
    // that a printed command would read as an option.
    (
      "own-log.yaml", Array("tasks: [{name: orchestrate, run: x}]".utf8),
      "task 'orchestrate': the name is taken by the run's own files"
    ),
    (
      "retry-log.yaml",
      Array("tasks: [{name: a, run: x, retries: 1}, {name: a.attempt-2, run: x}]".utf8),
      "task 'a.attempt-2': the name would share a log file with a retry of task 'a'"
    ),
    ("option.yaml", Array("tasks: [{name: --all, run: x}]".utf8), "must not start with '-'"),
    (
      "option-source.yaml", Array("sources: [-x]\ntasks: [{name: a, run: x}]".utf8),
      "'-x' must not start with '-'"
    ),
    // Found by fuzzing: lines ended by a lone \r made the YAML hint look
    // past the end of the file (a trap).
    ("bare-cr.yaml", Array("n:\r\ro".utf8), "bare-cr.yaml:"),
    ("bare-cr.json", Array("\r\r\r\t11".utf8), "bare-cr.json:"),
    ("empty.yaml", [], "empty"),
    ("slash.yaml", Array("tasks: [{name: etc/passwd, run: x}]".utf8), "may contain only letters"),
    ("escape.yaml", Array("tasks: [{name: ../../etc/x, run: x}]".utf8), "must not start with '.'"),
    ("dotdot.yaml", Array("tasks: [{name: '..', run: x}]".utf8), "must not start with '.'"),
    ("newline.yaml", Array("tasks: [{name: \"a\\nb\", run: x}]".utf8), "'a\\nb'"),
    (
      "nul.yaml", Array("tasks: [{name: \"a\\0b\", run: x}]".utf8),
      "task 'a\\0b': the name may contain only"
    ),
    ("binary.yaml", [0x74, 0x61, 0x73, 0x6b, 0x73, 0x3a, 0x20, 0xff, 0xfe, 0x00], "not UTF-8"),
    (
      "nested.yaml", Array(("tasks: " + String(repeating: "[", count: 100_000)).utf8),
      "nested.yaml:1:"
    ),
    ("bomb.yaml", Array(aliasBomb().utf8), "more than"),
    ("garbage.yaml", garbage(megabytes: 10), "garbage.yaml"),
  ]

  static func aliasBomb() -> String {
    var text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for level in 1...12 {
      text +=
        "a\(level): &a\(level) ["
        + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
    }
    return text + "tasks: [{name: a, run: x}]\n"
  }

  static func garbage(megabytes: Int) -> [UInt8] {
    var generator = SeededGenerator(seed: 7)
    let alphabet = Array("abc: -[]{}\"'\n\t*&!%@`|>".utf8)
    return (0..<(megabytes << 20)).map { _ in
      alphabet[Int(generator.next() % UInt64(alphabet.count))]
    }
  }

  @Test(arguments: cases.map(\.name))
  func isRefusedWithOneLine(name: String) throws {
    let testCase = try #require(Self.cases.first { $0.name == name })
    let root = TestRoot()
    let file = "\(root.path)/\(name)"
    FileManager.default.createFile(atPath: file, contents: Data(testCase.contents))
    let result = try Orchestrate.run([file, "--root", root.path], timeout: 60)
    #expect(result.exitCode == 2)
    #expect(result.stderr.hasPrefix("orchestrate: \(file)"), "\(result.stderr.prefix(300))")
    #expect(result.stderr.contains(testCase.message), "\(result.stderr.prefix(300))")
    #expect(result.stderr.filter { $0 == "\n" }.count == 1, "\(result.stderr.prefix(300))")
    // Nothing ran; at most the refusal is recorded.
    #expect(!root.exists("logs"))
    let stem = (name as NSString).deletingPathExtension
    #expect(try root.records(stem).allSatisfy { $0.status == .refused && $0.tasks.isEmpty })
  }

  /// One pipeline file with an impossible duration leaves the others'
  /// rotation and status alone; the longest allowed waits run and are
  /// ended by the run's timeout, without an overflow.
  @Test func extremeDurationsNeitherTrapNorStopTheOthers() throws {
    let root = TestRoot()
    root.write(
      "pipelines/bad.yaml",
      "logs: {compress_after: 9999999999999999d}\ntasks: [{name: a, run: 'true'}]\n")
    root.write(
      "pipelines/slow.yaml",
      """
      timeout: 2s
      logs: {compress_after: 36500d, delete_after: 36500d}
      tasks: [{name: a, run: 'exit 1', retries: 100, retry_backoff: 100, retry_delay: 36500d}]
      """)
    let run = try Orchestrate.run(["slow", "--root", root.path], directory: root.path)
    #expect(run.exitCode == 1, "\(run.stdout)\(run.stderr)")
    #expect(run.stdout.contains("no retry: run timeout (2s) reached"), "\(run.stdout)")
    let rotate = try Orchestrate.run(["rotate", "--root", root.path, "-v"])
    #expect(rotate.exitCode == 0, "\(rotate.stderr)")
    #expect(rotate.stdout.contains("slow: nothing to do"), "\(rotate.stdout)")
    let status = try Orchestrate.run(["status", "--root", root.path])
    #expect(status.stdout.contains("slow  CRITICAL"), "\(status.stdout)")
  }

  @Test func missingFileAndDirectoryAreNamed() throws {
    let root = TestRoot()
    let missing = try Orchestrate.run(["\(root.path)/absent.yaml", "--root", root.path])
    #expect(missing.exitCode == 2)
    #expect(missing.stderr == "orchestrate: \(root.path)/absent.yaml: no such file\n")
    try FileManager.default.createDirectory(
      atPath: "\(root.path)/dir.yaml", withIntermediateDirectories: true)
    let directory = try Orchestrate.run(["\(root.path)/dir.yaml", "--root", root.path])
    #expect(directory.exitCode == 2)
    #expect(
      directory.stderr
        == "orchestrate: \(root.path)/dir.yaml: is a directory, not a pipeline file\n")
    #expect(!root.exists("metrics"))
  }

  @Test func largeValidFileIsAccepted() throws {
    let root = TestRoot()
    var text = "# " + String(repeating: "padding ", count: 1_300_000) + "\ntasks:\n"
    for index in 0..<2000 { text += "  - {name: t\(index), run: 'true'}\n" }
    let file = root.write("big.yaml", text)
    let result = try Orchestrate.run(["validate", file], timeout: 60)
    #expect(result.exitCode == 0, "\(result.stderr)")
  }

  /// Random mutations of the shared examples, through the real binary:
  /// every outcome is "valid" (0) or "refused with a message" (2).
  @Test func mutatedExamplesNeverCrashOrHang() throws {
    let root = TestRoot()
    var generator = SeededGenerator(seed: 20_261_122)
    let examples = try ["ingestion.json", "omics-daily.yaml"].map {
      try Array(Data(contentsOf: URL(fileURLWithPath: "\(Orchestrate.sharedExamples)/\($0)")))
    }
    var outcomes: [Int32: Int] = [:]
    for index in 0..<150 {
      let mutated = PipelineMutator.mutate(examples[index % 2], using: &generator)
      let file = "\(root.path)/case\(index).\(index % 2 == 0 ? "json" : "yaml")"
      FileManager.default.createFile(atPath: file, contents: Data(mutated))
      let result = try Orchestrate.run(["validate", file], timeout: 20)
      outcomes[result.exitCode ?? -1, default: 0] += 1
      #expect(result.exitCode == 0 || result.exitCode == 2, "case \(index): \(result.stderr)")
      if result.exitCode == 2 { #expect(result.stderr.hasPrefix("orchestrate: ")) }
    }
    #expect(outcomes.keys.allSatisfy { $0 == 0 || $0 == 2 })
  }

  /// The same mutations in bulk, in process: thousands of cases in seconds.
  /// A crash ends the test run; typed throws make "refused" a `PipelineError`.
  @Test func thousandsOfMutationsParseOrFailWithAMessage() throws {
    var generator = SeededGenerator(seed: 42)
    let examples = try ["ingestion.json", "omics-daily.yaml"].map {
      try Array(Data(contentsOf: URL(fileURLWithPath: "\(Orchestrate.sharedExamples)/\($0)")))
    }
    var accepted = 0
    var refused = 0
    for index in 0..<5000 {
      let mutated = PipelineMutator.mutate(examples[index % 2], using: &generator)
      do {
        let pipeline = try PipelineLoader.parse(
          Data(mutated), file: "case\(index)", defaultName: "c")
        _ = try? Plan(pipeline: pipeline)
        accepted += 1
      } catch {
        // One line, naming the file it is about.
        #expect(error.description.hasPrefix("case\(index)"), "\(error)")
        #expect(!error.description.contains("\n"), "\(error)")
        refused += 1
      }
    }
    // The mutations reach both sides: neither all accepted nor all refused.
    #expect(accepted > 0 && refused > 0)
  }
}
