import Foundation
import OrchestrateKit
import TestSupport
import Testing

/// Tasks report items through `$ORCHESTRATE_ITEMS`; `orchestrate items`
/// reads the pipeline's ledger back, a task takes its work from it with
/// `--ids`, back-pressure leaves a task out, and a kill -9 of the
/// orchestrator loses no committed event.
@Suite(.serialized) struct ItemLedgerTests {
  /// Tasks that call `orchestrate items` find it on their PATH.
  static let environment = Orchestrate.cronEnvironment([
    "PATH": PathName.parent(Orchestrate.binary) + ":/usr/bin:/bin"
  ])

  static let pipeline = """
    name: ingest
    sources: [sra, geo, biosample]
    items:
      stages: [fetched, parsed, embedded]
      stuck_after: 6h
    tasks:
      - name: fetch
        for_each_source: true
        run: |
          for i in 1 2 3 4; do
            echo "{\\"item\\": \\"$ORCHESTRATE_SOURCE-$i\\", \\"stage\\": \\"fetched\\", \\"status\\": \\"done\\", \\"size\\": $i, \\"attrs\\": {\\"n\\": $i}}" >> "$ORCHESTRATE_ITEMS"
          done
          echo 'not an item' >> "$ORCHESTRATE_ITEMS"
      - name: parse
        for_each_source: true
        depends_on: [fetch]
        run: |
          for i in 1 2 3 4; do
            if [ $i = 3 ]; then
              echo "{\\"item\\": \\"$ORCHESTRATE_SOURCE-$i\\", \\"stage\\": \\"parsed\\", \\"status\\": \\"failed\\", \\"error\\": \\"no title in record $i\\"}" >> "$ORCHESTRATE_ITEMS"
            else
              echo "{\\"item\\": \\"$ORCHESTRATE_SOURCE-$i\\", \\"stage\\": \\"parsed\\", \\"status\\": \\"done\\"}" >> "$ORCHESTRATE_ITEMS"
            fi
          done
      - name: embed
        depends_on: [parse]
        run: |
          orchestrate items ingest --stage parsed --status done --next-stage-missing --ids > todo
          while read -r id; do
            echo "{\\"item\\": \\"$id\\", \\"stage\\": \\"embedded\\", \\"status\\": \\"done\\"}" >> "$ORCHESTRATE_ITEMS"
          done < todo
    """

  func items(_ root: TestRoot, _ arguments: [String]) throws -> Invocation {
    try Orchestrate.run(
      ["items", "ingest", "--root", root.path] + arguments, environment: Self.environment)
  }

  func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  func stage(_ document: [String: Any], _ name: String) throws -> [String: Any] {
    let stages = try #require(document["stages"] as? [[String: Any]])
    return try #require(stages.first { $0["stage"] as? String == name })
  }

  @Test func threeSourcesReportItemsThroughStagesAndIdsFeedTheNextTask() throws {
    let root = TestRoot()
    let file = root.write("pipelines/ingest.yaml", Self.pipeline)
    let run = try Orchestrate.run([file], environment: Self.environment, directory: root.path)
    #expect(run.exitCode == 0, "\(run.stderr)")
    let record = try root.onlyRecord("ingest")
    #expect(record.task("fetch[geo]")?.malformedReportLines == 1, "the line that is not JSON")

    let summary = try items(root, ["--json"])
    #expect(summary.exitCode == 0, "\(summary.stderr)")
    let document = try json(summary.stdout)
    #expect(document["items"] as? Int == 12)
    #expect(try stage(document, "fetched")["done"] as? Int == 12)
    #expect(try stage(document, "parsed")["done"] as? Int == 9)
    #expect(try stage(document, "parsed")["failed"] as? Int == 3)
    // The three that failed parsing wait before it; every parsed one was embedded.
    #expect(try stage(document, "parsed")["backlog"] as? Int == 3)
    #expect(try stage(document, "embedded")["done"] as? Int == 9)
    #expect(try stage(document, "embedded")["backlog"] as? Int == 0)
    let failures = try #require(document["failures"] as? [[String: Any]])
    #expect(
      Set(failures.compactMap { $0["item"] as? String }) == ["sra-3", "geo-3", "biosample-3"])
    #expect(failures.allSatisfy { ($0["error"] as? String)?.hasPrefix("no title") == true })
    #expect(root.read("todo")?.split(separator: "\n").count == 9)

    // What a terminal shows: a table no wider than it.
    let table = try Orchestrate.run(
      ["items", "ingest", "--root", root.path],
      environment: Self.environment.merging(["COLUMNS": "40"]) { $1 })
    #expect(table.stdout.contains("parsed"), "\(table.stdout)")
    for line in table.stdout.split(separator: "\n") { #expect(line.count <= 40, "\(line)") }
    let wide = try items(root, [])
    #expect(wide.stdout.contains("geo-3  parsed failed  no title in record 3"), "\(wide.stdout)")
    #expect(wide.stdout.contains("backlog"), "\(wide.stdout)")

    let history = try json(try items(root, ["--item", "geo-3", "--json"]).stdout)
    let events = try #require(history["history"] as? [[String: Any]])
    #expect(events.map { $0["stage"] as? String } == ["fetched", "parsed"])
    #expect(events.map { $0["task"] as? String } == ["fetch[geo]", "parse[geo]"])
    #expect(events.allSatisfy { $0["run"] as? String == record.runId })
    #expect((events[0]["attrs"] as? [String: Any])?["n"] as? Int == 3)

    let failed = try items(root, ["--stage", "parsed", "--status", "failed", "--ids"])
    #expect(failed.stdout == "biosample-3\ngeo-3\nsra-3\n")
    let none = try items(root, ["--stage", "parsed", "--older-than", "1d", "--ids"])
    #expect(none.exitCode == 0 && none.stdout.isEmpty)

    // Every document matches the schema.
    let schema = SchemaTests()
    let documents = [
      root.write("summary.json", summary.stdout),
      root.write("history.json", try items(root, ["--item", "geo-3", "--json"]).stdout),
      root.write("selection.json", try items(root, ["--status", "failed", "--json"]).stdout),
    ]
    let check = try schema.check("items.schema.json", documents)
    #expect(check.status == 0, "\(check.output)")
  }

  @Test func backPressureLeavesTheTaskOutAndTheRunCompletes() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/ingest.yaml",
      """
      items:
        stages: [fetched, parsed]
      tasks:
        - name: fetch
          run: |
            for i in 1 2 3 4 5; do
              echo "{\\"item\\": \\"d$i\\", \\"stage\\": \\"fetched\\", \\"status\\": \\"done\\"}" >> "$ORCHESTRATE_ITEMS"
            done
        - name: fetch-more
          depends_on: [fetch]
          backpressure: {stage: parsed, max_backlog: 2}
          run: touch fetched-more
        - name: after
          depends_on: [fetch-more]
          run: touch after-ran
      """)
    let run = try Orchestrate.run([file], environment: Self.environment, directory: root.path)
    #expect(run.exitCode == 0, "\(run.stderr)")
    let record = try root.onlyRecord("ingest")
    #expect(record.status == .completed)
    let held = try #require(record.task("fetch-more"))
    #expect(held.status == .notWanted)
    #expect(held.reason == "backlog before parsed is 5 > 2")
    #expect(!root.exists("fetched-more"))
    #expect(root.exists("after-ran"), "its dependents run as after a when: skip")
  }

  @Test func aBackpressureStageMustBeDeclared() throws {
    let root = TestRoot()
    let file = root.write(
      "p.yaml",
      """
      items: {stages: [fetched, parsed]}
      tasks:
        - {name: a, run: 'true', backpressure: {stage: embedded, max_backlog: 5}}
      """)
    let result = try Orchestrate.run(["validate", file])
    #expect(result.exitCode == 2)
    #expect(
      result.stderr.contains(
        "tasks[0].backpressure.stage: task 'a': unknown stage 'embedded' (stages: fetched, parsed)"),
      "\(result.stderr)")
  }

  @Test func aKilledOrchestratorLosesNoCommittedEvent() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/ingest.yaml",
      """
      items:
        stages: [fetched, parsed]
      tasks:
        - name: fetch
          run: |
            for i in 1 2 3; do
              echo "{\\"item\\": \\"k$i\\", \\"stage\\": \\"fetched\\", \\"status\\": \\"done\\"}" >> "$ORCHESTRATE_ITEMS"
            done
        - name: parse
          depends_on: [fetch]
          run: |
            echo '{"item": "k1", "stage": "parsed", "status": "started"}' >> "$ORCHESTRATE_ITEMS"
            touch parsing
            while [ ! -e go ]; do sleep 0.05; done
      """)
    let running = try Orchestrate.start([file], environment: Self.environment, directory: root.path)
    try root.waitFor("parsing")
    running.signal(SIGKILL)
    _ = running.wait()

    // The ended attempt's events are there, the running one's are not yet.
    let after = try json(try items(root, ["--json"]).stdout)
    #expect(after["items"] as? Int == 3)
    #expect(try stage(after, "fetched")["done"] as? Int == 3)
    #expect(
      (after["stages"] as? [[String: Any]])?.contains {
        $0["stage"] as? String == "parsed" && ($0["started"] as? Int ?? 0) > 0
      } == false)

    // The next run settles the dead one: its events once, none of the attempt it never saw end.
    root.write("go", "")
    let next = try Orchestrate.run([file], environment: Self.environment, directory: root.path)
    #expect(next.exitCode == 0, "\(next.stderr)")
    let history = try json(try items(root, ["--item", "k2", "--json"]).stdout)
    let events = try #require(history["history"] as? [[String: Any]])
    #expect(events.count == 2, "one event from each run: \(events)")
    let records = try root.records("ingest")
    #expect(records.first?.status == .abandoned)
    let k1 = try json(try items(root, ["--item", "k1", "--json"]).stdout)
    let k1Events = try #require(k1["history"] as? [[String: Any]])
    #expect(
      !k1Events.contains {
        $0["run"] as? String == records.first?.runId && $0["stage"] as? String == "parsed"
      },
      "the dead run's unfinished attempt is discarded")
    // The snapshot is whole: its summary agrees with a fresh read of every event.
    let summary = try json(try items(root, ["--json"]).stdout)
    #expect(summary["items"] as? Int == 3)
    #expect(
      try stage(summary, "parsed")["started"] as? Int == 1, "the second run's parse started k1")
    let leftovers = try FileManager.default.contentsOfDirectory(
      atPath: "\(root.path)/metrics/ingest/items")
    #expect(leftovers.sorted() == ["segments", "snapshot"])
  }

  @Test func stuckItemsMakeStatusCritical() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/ingest.yaml",
      """
      items:
        stages: [fetched, parsed]
        stuck_after: 1s
        alert_stuck_over: 0
      tasks:
        - name: parse
          run: |
            echo '{"item": "s1", "stage": "parsed", "status": "started"}' >> "$ORCHESTRATE_ITEMS"
            echo '{"item": "s2", "stage": "parsed", "status": "started"}' >> "$ORCHESTRATE_ITEMS"
            echo '{"item": "s2", "stage": "parsed", "status": "done"}' >> "$ORCHESTRATE_ITEMS"
      """)
    let run = try Orchestrate.run([file], environment: Self.environment, directory: root.path)
    #expect(run.exitCode == 0, "\(run.stderr)")
    // s1 was started and never finished: stuck once a second has passed.
    try waitUntil {
      (try? json(try items(root, ["--json"]).stdout))?["stuck_count"] as? Int == 1
    }
    let table = try items(root, [])
    #expect(table.stdout.contains("stuck: 1 item started over"), "\(table.stdout)")
    #expect(table.stdout.contains("s1  parsed started"), "\(table.stdout)")
    let check = try Orchestrate.run(["status", "--check", "--root", root.path])
    #expect(check.exitCode == 2, "\(check.stdout)")
    #expect(
      check.stdout.contains("CRITICAL: ingest: 1 item stuck: started over 1"),
      "\(check.stdout)")
    let metrics = try Orchestrate.run(["status", "--prometheus", "-", "--root", root.path])
    #expect(
      metrics.stdout.contains("orchestrate_items_stuck{pipeline=\"ingest\"} 1"), "\(metrics.stdout)"
    )
    #expect(
      metrics.stdout.contains(
        "orchestrate_items{pipeline=\"ingest\",stage=\"parsed\",status=\"done\"} 1"))
    let status = try Orchestrate.run(["status", "--json", "--root", root.path])
    let document = root.write("status.json", status.stdout)
    let schemaCheck = try SchemaTests().check("status.schema.json", [document])
    #expect(schemaCheck.status == 0, "\(schemaCheck.output)")
  }

  @Test func stuckItemsAreToldOnceThenTheirRecovery() throws {
    let root = TestRoot()
    let server = try RecordingHTTPServer(in: root)
    let environment = Self.environment.merging(["HOOK": "\(server.url)/hook"]) { $1 }
    root.write(
      "pipelines/ingest.yaml",
      """
      items:
        stages: [fetched, parsed]
        stuck_after: 1s
      notify:
        - webhook: {url_env: HOOK}
          on: [stuck_items, recovery]
      tasks:
        - name: parse
          run: |
            if [ -e "$ORCHESTRATE_ROOT/finish" ]; then status=done; else status=started; fi
            echo "{\\"item\\": \\"s1\\", \\"stage\\": \\"parsed\\", \\"status\\": \\"$status\\"}" >> "$ORCHESTRATE_ITEMS"
      """)
    func notify() throws -> [String] {
      let result = try Orchestrate.run(
        ["status", "--notify", "--quiet", "--root", root.path], environment: environment)
      #expect(result.exitCode == 0, "\(result.stderr)")
      return server.requests().compactMap { $0.json?["event"] as? String }
    }
    #expect(
      try Orchestrate.run(["ingest", "--root", root.path], environment: environment).exitCode == 0)
    try waitUntil {
      (try? json(try items(root, ["--json"]).stdout))?["stuck_count"] as? Int == 1
    }
    #expect(try notify() == ["stuck_items"])
    #expect(try notify() == ["stuck_items"], "once per occurrence")
    root.write("finish", "")
    #expect(
      try Orchestrate.run(["ingest", "--root", root.path], environment: environment).exitCode == 0)
    #expect(try notify() == ["stuck_items", "recovery"])
  }
}
