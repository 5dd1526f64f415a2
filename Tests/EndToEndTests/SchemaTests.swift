import Foundation
import OrchestrateKit
import TestSupport
import Testing

/// The JSON Schemas in docs/ against what orchestrate really reads and
/// writes, checked by Python's `jsonschema` (the reference validator; Debian's, which
/// scripts/bootstrap.sh installs when missing) through
/// scripts/check-json-schema.py.
@Suite struct SchemaTests {
  static let docs = Orchestrate.packageRoot + "/docs"
  static let corpus = Orchestrate.packageRoot + "/Tests/Pipelines"

  /// Exit status and one line per problem.
  func check(_ schema: String, _ files: [String]) throws -> (status: Int32, output: String) {
    try system(
      [
        "/usr/bin/python3", Orchestrate.packageRoot + "/scripts/check-json-schema.py",
        "\(Self.docs)/\(schema)",
      ]
        + files)
  }

  func files(in directory: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory).sorted().map {
      "\(directory)/\($0)"
    }
  }

  @Test func everyExampleAndValidPipelineLoadsAndMatchesTheSchema() throws {
    let files =
      try files(in: Orchestrate.sharedExamples)
      + files(in: Orchestrate.packageRoot + "/pipelines") + files(in: "\(Self.corpus)/valid")
    #expect(files.count >= 6)
    for file in files {
      #expect(throws: Never.self, "\(file)") { try PipelineLoader.load(file: file) }
    }
    let result = try check("pipeline.schema.json", files)
    #expect(result.status == 0, "\(result.output)")
  }

  @Test func everyInvalidPipelineIsRefusedByTheLoaderAndTheSchema() throws {
    let files = try files(in: "\(Self.corpus)/invalid")
    #expect(files.count >= 20)
    for file in files {
      #expect(throws: PipelineError.self, "\(file)") { try PipelineLoader.load(file: file) }
    }
    let result = try check("pipeline.schema.json", files)
    #expect(result.status == 1)
    for file in files { #expect(result.output.contains("\(file):"), "schema accepts \(file)") }
  }

  /// Records of many shapes (parameters, environment, warnings, retries,
  /// progress, counters, skipped and timed-out tasks, a rerun) and
  /// `status --json` with a schedule, a missed night and a running run.
  @Test func recordsAndStatusMatchTheirClosedSchemas() throws {
    let root = TestRoot()
    root.write("dev.env", "TOKEN=abc\n")
    let due = Date().addingTimeInterval(-2 * 3600)
    let minutes = Int(due.timeIntervalSince1970) / 60 % 1440
    let file = root.write(
      "pipelines/rich.yaml",
      """
      schedule: "\(minutes % 60) \(minutes / 60) * * *"
      timezone: UTC
      sources: [a, b]
      params: {full: {type: bool, default: false}, token: {type: string, secret: true, default: x}}
      environments: {dev: {env_file: dev.env}}
      tasks:
        - {name: prepare, run: mkdir -p out}
        - name: extract
          for_each_source: true
          state: true
          depends_on: [prepare]
          working_directory: out
          run: |
            echo '{"done": 1, "total": 2, "message": "half", "phase": "load"}' >> "$ORCHESTRATE_PROGRESS"
            echo '{"documents_loaded": 12}' >> "$ORCHESTRATE_METRICS"
        - {name: flaky, run: 'exit 3', retries: 1, retry_delay: 0.01, state: {keep: 2}}
        - {name: after, run: 'true', depends_on: [flaky]}
        - {name: slow, run: 'sleep 30', timeout: 0.2s}
        - {name: always, run: 'true', depends_on: [flaky], run_if: always}
        - {name: full, run: 'true', when: full}
      """)
    let first = try Orchestrate.run([file, "-e", "dev"])
    #expect(first.exitCode == 1, "\(first.stderr)")
    let rerun = try Orchestrate.run(["rerun", "--last", "rich", "--root", root.path])
    #expect(rerun.exitCode == 1, "\(rerun.stderr)")
    let records = try files(in: "\(root.path)/metrics/rich").filter {
      $0.hasSuffix(".json") && $0.contains("/run_")
    }
    #expect(records.count == 2)
    let recordCheck = try check("run-record.schema.json", records)
    #expect(recordCheck.status == 0, "\(recordCheck.output)")

    // A night missed (the records moved two days back) and a run going on.
    for record in records {
      var decoded = try RecordCoding.decoder().decode(
        RunRecord.self, from: Data(contentsOf: URL(fileURLWithPath: record)))
      decoded.startedAt -= 2 * 86400
      decoded.updatedAt -= 2 * 86400
      decoded.finishedAt = decoded.finishedAt.map { $0 - 2 * 86400 }
      try RecordCoding.encoder().encode(decoded).write(to: URL(fileURLWithPath: record))
    }
    let waiting = root.write(
      "pipelines/waiting.yaml",
      """
      tasks:
        - name: wait
          run: |
            echo '{"done": 1, "total": 4}' >> "$ORCHESTRATE_PROGRESS"
            touch started; while [ ! -e go ]; do sleep 0.05; done
      """)
    let running = try Orchestrate.start([waiting])
    defer {
      root.write("go", "")
      _ = running.wait()
    }
    try root.waitFor("started")
    let status = try Orchestrate.run(["status", "--json", "--root", root.path])
    root.write("status.json", status.stdout)
    let statusCheck = try check("status.schema.json", ["\(root.path)/status.json"])
    #expect(statusCheck.status == 0, "\(statusCheck.output)")
    let document = try #require(
      try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
    let pipelines = try #require(document["pipelines"] as? [[String: Any]])
    let rich = try #require(pipelines.first { $0["name"] as? String == "rich" })
    #expect(rich["next_due"] is String && rich["timezone"] as? String == "UTC")
    #expect(rich["missed"] is [String: Any])
    let other = try #require(pipelines.first { $0["name"] as? String == "waiting" })
    #expect((other["running"] as? [Any])?.count == 1)
  }

  /// A key the schema does not name is an error, so the schemas cannot
  /// fall behind the output silently.
  @Test func theOutputSchemasAreClosed() throws {
    let root = TestRoot()
    let file = root.write("p.yaml", "tasks: [{name: a, run: 'true'}]")
    try Orchestrate.run([file, "--root", root.path])
    let record = try #require(
      try files(in: "\(root.path)/metrics/p").first {
        $0.hasSuffix(".json") && $0.contains("/run_")
      })
    var object = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: record)))
        as? [String: Any])
    #expect(try check("run-record.schema.json", [record]).status == 0)
    object["surprise"] = 1
    let altered = root.write("altered.json", "")
    try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: altered))
    let result = try check("run-record.schema.json", [altered])
    #expect(result.status == 1)
    #expect(result.output.contains("'surprise' was unexpected"), "\(result.output)")
  }
}
