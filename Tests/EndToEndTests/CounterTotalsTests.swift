import Foundation
import OrchestrateKit
import Testing

/// A per-source task's counters summed in the record and in the messages a
/// run sends, from a real run whose instances report different counts.
@Suite(.serialized) struct CounterTotalsTests {
  @Test func theRecordAndTheMessagesCarryTotalsWithEachSourcesShare() throws {
    let root = TestRoot()
    let server = try RecordingHTTPServer(in: root)
    root.write(
      "pipelines/omics.yaml",
      """
      sources: [sra, geo, biosample]
      notify:
        - webhook: {url_env: HOOK_URL}
          on: [success]
        - slack: {url_env: SLACK_URL}
          on: [success]
      tasks:
        - name: extract
          for_each_source: true
          run: |
            case "$ORCHESTRATE_SOURCE" in biosample) n=2080 ;; *) n=1360 ;; esac
            echo "{\\"records\\": $n, \\"note\\": \\"not a number\\"}" >> "$ORCHESTRATE_METRICS"
        - name: parse
          depends_on: [extract]
          run: |
            echo '{"records": 4700}' >> "$ORCHESTRATE_METRICS"
        - name: catalog
          depends_on: [parse]
          run: 'true'
      """)
    let environment = Orchestrate.cronEnvironment([
      "HOOK_URL": "\(server.url)/hook", "SLACK_URL": "\(server.url)/slack",
    ])
    let run = try Orchestrate.run(["omics", "--root", root.path], environment: environment)
    #expect(run.exitCode == 0, "\(run.stderr)")

    // The record: per task of the file, the sources' shares; `parse`'s own
    // `records` is not added to `extract`'s.
    let record = try root.onlyRecord("omics")
    #expect(
      record.totals == [
        "extract": [
          "records": CounterTotal(
            total: 4800, bySource: ["sra": 1360, "geo": 1360, "biosample": 2080])
        ],
        "parse": ["records": CounterTotal(total: 4700)],
      ])
    let file = try #require(
      try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/metrics/omics")
        .first { $0.hasPrefix("run_") && $0.hasSuffix(".json") })
    let text = try String(contentsOfFile: "\(root.path)/metrics/omics/\(file)", encoding: .utf8)
    #expect(text.contains(#""by_source" : {"#), "snake_case in the file")

    // The messages: one line for the per-source task, before anything per instance.
    let line = "extract: records 4,800 (biosample 2,080, geo 1,360, sra 1,360)"
    let hook = try #require(server.requests().first { $0.path == "/hook" }?.json)
    let totals = try #require(hook["totals"] as? [String: [String: [String: Any]]])
    #expect(totals["extract"]?["records"]?["total"] as? Double == 4800)
    #expect(totals["catalog"] == nil, "a task that reported nothing has no totals")
    let slack = try #require(server.requests().first { $0.path == "/slack" }?.body)
    let blocks = try #require(
      (try JSONSerialization.jsonObject(with: Data(slack.utf8)) as? [String: Any])?["blocks"]
        as? [[String: Any]])
    let statistics = blocks.compactMap { ($0["text"] as? [String: Any])?["text"] as? String }
      .first { $0.hasPrefix("*Statistics*") }
    #expect(statistics == "*Statistics*\n  \(line)\n  parse: records 4,700")
  }

  /// The record a run rewrites as it goes has the totals of what has been
  /// reported so far.
  @Test func aLiveRecordHasTheTotalsSoFar() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/live.yaml",
      """
      sources: [sra, geo]
      max_parallel: 2
      tasks:
        - name: extract
          for_each_source: true
          run: |
            echo '{"records": 10}' >> "$ORCHESTRATE_METRICS"
            touch "$ORCHESTRATE_ROOT/reported-$ORCHESTRATE_SOURCE"
            while [ ! -e "$ORCHESTRATE_ROOT/go" ]; do sleep 0.05; done
            echo '{"records": 25}' >> "$ORCHESTRATE_METRICS"
      """)
    let running = try Orchestrate.start([file, "--root", root.path])
    defer {
      root.write("go", "")
      _ = running.wait()
    }
    try root.waitFor("reported-sra")
    try root.waitFor("reported-geo")
    // The record is rewritten within about a second of a change.
    let deadline = Date().addingTimeInterval(30)
    var live: RunRecord?
    while Date() < deadline {
      live = try? root.onlyRecord("live")
      if live?.totals?["extract"]?["records"]?.total == 20 { break }
      usleep(50_000)
    }
    #expect(live?.status == .running)
    #expect(
      live?.totals == [
        "extract": ["records": CounterTotal(total: 20, bySource: ["sra": 10, "geo": 10])]
      ])

    root.write("go", "")
    #expect(running.wait().exitCode == 0)
    let final = try root.onlyRecord("live")
    #expect(final.totals?["extract"]?["records"]?.total == 50)
  }
}
