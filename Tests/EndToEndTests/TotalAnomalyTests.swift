import Foundation
import OrchestrateKit
import Testing

/// A total that collapses while each source stays within its own bounds:
/// flagged in the record, the summary, the `anomaly` message, status and the
/// pipeline page, from real runs of a pipeline of three sources.
@Suite(.serialized) struct TotalAnomalyTests {
  @Test func aCollapsedTotalIsAnAnomalyOfTheRun() throws {
    let root = TestRoot()
    let server = try RecordingHTTPServer(in: root)
    root.write(
      "pipelines/omics.yaml",
      """
      sources: [sra, geo, biosample]
      anomalies:
        min_runs: 3
        totals: {records: {low: 0.5}}
      notify:
        - webhook: {url_env: HOOK_URL}
          on: [anomaly]
      tasks:
        - name: extract
          for_each_source: true
          run: |
            n=$(cat "$ORCHESTRATE_ROOT/count-$ORCHESTRATE_SOURCE" 2>/dev/null || echo 1600)
            echo "{\\"records\\": $n}" >> "$ORCHESTRATE_METRICS"
      """)
    let environment = Orchestrate.cronEnvironment(["HOOK_URL": "\(server.url)/hook"])
    func run() throws -> Invocation {
      try Orchestrate.run(["omics", "--root", root.path], environment: environment)
    }
    for biosample in [1500, 1600, 1700] {
      root.write("count-biosample", "\(biosample)")
      let normal = try run()
      #expect(normal.exitCode == 0, "\(normal.stderr)")
      #expect(normal.stdout.isEmpty, "\(normal.stdout)")
    }
    #expect(server.requests().isEmpty, "usual totals send nothing")

    // Each source at about a third of its usual 1,600: within the
    // instances' own bounds (25%), but the total is under half its usual.
    for source in ["sra", "geo", "biosample"] { root.write("count-\(source)", "500") }
    let collapsed = try run()
    #expect(collapsed.exitCode == 0, "\(collapsed.stderr)")
    let sentence = "extract total: records 1,500 is 0.31× its median 4,800"
    #expect(collapsed.stdout.contains("anomaly: \(sentence)"), "\(collapsed.stdout)")

    let records = try root.records("omics")
    #expect(records.count == 4)
    let last = try #require(records.max { $0.startedAt < $1.startedAt || $0.runId < $1.runId })
    #expect(
      last.anomalies == [
        Anomaly(task: "extract", field: "records", value: 1500, median: 4800, scope: .total)
      ])
    #expect(records.filter { $0.anomalies != nil }.count == 1)
    let file = try #require(
      try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/metrics/omics")
        .first { $0.hasSuffix("\(last.runId).json") })
    let text = try String(contentsOfFile: "\(root.path)/metrics/omics/\(file)", encoding: .utf8)
    #expect(text.contains(#""scope" : "total""#), "\(text)")

    let hooks = server.requests().compactMap(\.json)
    #expect(hooks.count == 1)
    #expect(hooks.first?["event"] as? String == "anomaly")
    #expect(hooks.first?["anomalies"] as? [String] == [sentence])

    let status = try Orchestrate.run(["status", "omics", "--root", root.path])
    #expect(status.stdout.contains(sentence), "\(status.stdout)")

    // The record, `status --json`, the message and the pipeline file match
    // their published schemas.
    let json = try Orchestrate.run(["status", "--json", "--root", root.path])
    #expect(json.stdout.contains(#""scope" : "total""#), "\(json.stdout)")
    let hook = try #require(server.requests().first?.body)
    let schemas = SchemaTests()
    for (schema, file) in [
      ("run-record.schema.json", "\(root.path)/metrics/omics/\(file)"),
      ("status.schema.json", root.write("status.json", json.stdout)),
      ("notification.schema.json", root.write("hook.json", hook)),
      // The schema checker reads an unquoted `on:` key as YAML 1.1's true,
      // so the file's `anomalies:` is checked on its own.
      (
        "pipeline.schema.json",
        root.write(
          "anomalies.yaml",
          "anomalies: {min_runs: 3, totals: {records: {low: 0.5}}}\ntasks: [{name: a, run: x}]")
      ),
    ] {
      let check = try schemas.check(schema, [file])
      #expect(check.status == 0, "\(schema): \(check.output)")
    }

    let report = try Orchestrate.run(["report", "--root", root.path])
    #expect(report.exitCode == 0, "\(report.stderr)")
    let page = try #require(root.read("report/pipelines/omics.html"))
    #expect(page.contains("<h2>Totals</h2>"))
    #expect(
      page.contains("extract · records <span class=\"slow\""), "the collapsed total is marked")
    #expect(page.contains("biosample 500, geo 500, sra 500"), "the last run's shares")
  }
}
