import Foundation
import Testing

@testable import OrchestrateStatus

/// Parses `text` as the file `p.yaml`.
func parse(_ text: String, file: String = "p.yaml") throws(PipelineError) -> Pipeline {
  try PipelineLoader.parse(Data(text.utf8), file: file, defaultName: "p")
}

/// The error `text` is rejected with.
func rejection(_ text: String) -> PipelineError? {
  do {
    _ = try parse(text)
    return nil
  } catch {
    return error
  }
}

@Suite struct PipelineLoaderTests {
  @Test func readsEveryFieldWithDefaults() throws {
    let pipeline = try parse(
      """
      name: nightly
      schedule: "0 2 * * *"
      max_parallel: 4
      timeout: 2h
      sources: [sra, geo]
      env: {DATA: /tmp/x, PORT: 8080}
      defaults: {timeout: 5m, retries: 2, retry_delay: 10s, retry_backoff: 2, env: {A: "1"}}
      logs: {compress_after: 3d, delete_after: never, compression: zstd}
      tasks:
        - name: prepare
          run: mkdir -p "$DATA"
        - name: extract
          for_each_source: true
          depends_on: [prepare]
          argv: [curl, -s, "https://example.org"]
          timeout: never
          env: {A: "2"}
        - name: load
          source: geo
          shell: /bin/bash
          run: echo load
          run_if: always
          kill_grace: 3s
          retries: 0
      """)
    #expect(pipeline.name == "nightly")
    #expect(pipeline.maxParallel == 4)
    #expect(pipeline.timeout == .seconds(7200))
    #expect(pipeline.environment == ["DATA": "/tmp/x", "PORT": "8080"])
    #expect(
      pipeline.logPolicy
        == LogPolicy(compressAfter: .seconds(259_200), deleteAfter: nil, compression: .zstd))
    let prepare = pipeline.tasks[0]
    #expect(prepare.command == .shell(script: "mkdir -p \"$DATA\"", shell: "/bin/sh"))
    #expect(prepare.timeout == .seconds(300))
    #expect(prepare.retries == 2)
    #expect(prepare.retryDelay == .seconds(10))
    #expect(prepare.killGrace == .seconds(10))
    #expect(prepare.environment == ["A": "1"])
    #expect(prepare.line == 10)
    let extract = pipeline.tasks[1]
    #expect(extract.command == .argv(["curl", "-s", "https://example.org"]))
    #expect(extract.sourceScope == .eachSource)
    #expect(extract.timeout == nil)
    #expect(extract.environment == ["A": "2"])
    let load = pipeline.tasks[2]
    #expect(load.command == .shell(script: "echo load", shell: "/bin/bash"))
    #expect(load.sourceScope == .single("geo"))
    #expect(load.runIf == .always)
    #expect(load.killGrace == .seconds(3))
    #expect(load.retries == 0)
  }

  @Test func defaultsNameFromFileAndBoundsTheRun() throws {
    let pipeline = try parse("tasks: [{name: a, run: 'true'}]")
    #expect(pipeline.name == "p")
    #expect(pipeline.maxParallel == 1)
    #expect(pipeline.timeout == Pipeline.defaultRunTimeout)
    #expect(pipeline.logPolicy == .standard)
  }

  @Test func jsonUsesTheSameSchema() throws {
    let pipeline = try parse(
      #"{"name": "j", "tasks": [{"name": "a", "argv": ["/bin/echo", "hi"], "timeout": 90}]}"#,
      file: "j.json")
    #expect(pipeline.tasks[0].timeout == .seconds(90))
    #expect(pipeline.tasks[0].command == .argv(["/bin/echo", "hi"]))
  }

  @Test func jsonIndentedWithTabsParses() throws {
    let pipeline = try parse(
      "{\n\t\"tasks\": [\n\t\t{\"name\": \"a\", \"run\": \"true\"}\n\t]\n}", file: "t.json")
    #expect(pipeline.tasks.count == 1)
  }

  @Test func sharedExamplesLoad() throws {
    let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../examples").standardized
    for name in ["ingestion.json", "omics-daily.yaml"] {
      let pipeline = try PipelineLoader.load(file: examples.appendingPathComponent(name).path)
      #expect(!pipeline.tasks.isEmpty)
      #expect(pipeline.sha256.count == 64)
    }
  }

  @Test func errorsNameFileLineAndField() throws {
    let error = try #require(
      rejection(
        """
        tasks:
          - name: a
            run: "true"
            timeout: soon
        """))
    #expect(error.file == "p.yaml")
    #expect(error.line == 4)
    #expect(error.field == "tasks[0].timeout")
    #expect(error.description.hasPrefix("p.yaml:4:"))
    #expect(error.message.contains("'soon' is not a duration"))
  }

  @Test func unknownKeysAreRejectedWithASuggestion() throws {
    let error = try #require(
      rejection(
        """
        tasks:
          - name: a
            run: "true"
          - name: b
            run: "true"
            depend_on: [a]
        """))
    #expect(error.line == 6)
    #expect(error.field == "tasks[1].depend_on")
    #expect(error.message == "unknown field 'depend_on' (did you mean 'depends_on'?)")
  }

  @Test(arguments: [
    ("tasks: [{name: a, run: 'true'", "p.yaml:2:", "did not find expected"),
    ("tasks: {name: a}", "p.yaml:1:8: tasks", "expected a list"),
    ("tasks: [{name: [a], run: x}]", "tasks[0].name", "expected a single value"),
    ("env: [a]\ntasks: [{name: a, run: x}]", "p.yaml:1:6: env", "expected a mapping"),
    (
      "tasks: [{name: a, run: 'true', retries: many}]", "tasks[0].retries",
      "expected a whole number"
    ),
    ("tasks: [{name: a}]", "task 'a'", "needs 'run'"),
    ("tasks: [{name: a, run: x, argv: [x]}]", "task 'a'", "both 'run' and 'argv'"),
    ("tasks: [{name: a, argv: []}]", "tasks[0].argv", "at least the program"),
    ("tasks: [{name: a, run: x}, {name: a, run: y}]", "'a'", "used twice"),
    ("tasks: [{name: a, run: x, depends_on: [b]}]", "depends_on", "unknown task 'b'"),
    ("tasks: [{name: a, run: x, depends_on: [a]}]", "depends_on", "depends on itself"),
    ("tasks: [{name: a, run: x, timeout: -5s}]", "tasks[0].timeout", "not a duration"),
    ("tasks: [{name: a, run: x, timeout: 0}]", "tasks[0].timeout", "longer than zero"),
    ("tasks: [{name: a, run: x, kill_grace: never}]", "kill_grace", "cannot be 'never'"),
    ("timeout: never\ntasks: [{name: a, run: x}]", "p.yaml:1:10: timeout", "cannot be 'never'"),
    ("tasks: [{name: a, run: x, source: geo}]", "task 'a'", "unknown source 'geo'"),
    (
      "tasks: [{name: a, run: x, for_each_source: true}]", "for_each_source",
      "needs a 'sources' list"
    ),
    ("tasks: [{name: a/b, run: x}]", "tasks[0].name", "only letters"),
    ("tasks: [{name: '..', run: x}]", "tasks[0].name", "must not start with '.'"),
    ("tasks: [{name: \"a\\nb\", run: x}]", "tasks[0].name", "a\\nb"),
    ("tasks: [{name: a, run: x, run_if: sometimes}]", "run_if", "not one of: success, always"),
    ("tasks: []", "tasks", "no tasks"),
    ("max_parallel: 0\ntasks: [{name: a, run: x}]", "max_parallel", "between 1 and 4096"),
    ("sources: [a, a]\ntasks: [{name: a, run: x}]", "sources[1]", "listed twice"),
    ("name: a\nname: b\ntasks: [{name: a, run: x}]", "p.yaml:2:1:", "duplicate key 'name'"),
    ("- a\n- b", "p.yaml", "top level must be a mapping"),
    ("# only a comment\n", "p.yaml", "empty"),
    ("tasks: [{name: a, run: x}]\nextra: 1", "extra", "unknown field 'extra'"),
  ])
  func rejectsWithAClearMessage(text: String, location: String, message: String) throws {
    let error = try #require(rejection(text), "accepted: \(text)")
    #expect(error.description.contains(location), "\(error)")
    #expect(error.description.contains(message), "\(error)")
    #expect(!error.description.contains("\n"), "one line: \(error)")
  }

  @Test func cyclesNameTheirMembers() throws {
    let error = try #require(
      rejection(
        """
        tasks:
          - {name: a, run: x, depends_on: [c]}
          - {name: b, run: x, depends_on: [a]}
          - {name: c, run: x, depends_on: [b]}
          - {name: d, run: x, depends_on: [a]}
        """))
    #expect(error.message == "dependency cycle: a -> c -> b -> a")
    #expect(error.line == 2)
  }

  @Test func aliasBombsAreRefusedQuickly() throws {
    var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    for level in 1...9 {
      let previous = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
      text += "a\(level): &a\(level) [\(previous)]\n"
    }
    text += "tasks: [{name: t, run: x}]\n"
    let error = try #require(rejection(text))
    #expect(error.message.contains("more than"))
  }

  @Test func deepNestingIsAnErrorNotACrash() throws {
    let text = "tasks: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
    #expect(rejection(text) != nil)
  }

  @Test func nonUTF8AndNULBytesAreRejected() throws {
    var error: PipelineError?
    do {
      _ = try PipelineLoader.parse(
        Data([0x74, 0x3a, 0xff, 0xfe]), file: "b.yaml", defaultName: "b")
    } catch let caught { error = caught }
    #expect(error?.message.contains("not UTF-8") == true)
    #expect(rejection("tasks: [{name: a, run: \"x\u{0}\"}]")?.message.contains("NUL") == true)
  }
}
