import Foundation
import OrchestrateKit
import TestSupport
import Testing

/// The orchestrator killed with SIGKILL at random moments of successive
/// runs whose tasks report items: each next run settles the dead one, and
/// the ledger stays whole — every event of every attempt the settled
/// record says ended is in it exactly once, none of an attempt that never
/// ended, and the snapshot's summary is what a replay of the events gives.
@Suite(.serialized) struct ItemLedgerChaosTests {
  static let sources = ["sra", "geo", "bio"]

  /// Three sources through three stages; the fourth fetch of each source
  /// fails, and geo's parse fails its first attempt (one item failed) and
  /// is retried.
  static let pipeline = """
    name: chaos
    sources: [sra, geo, bio]
    max_parallel: 3
    items:
      stages: [fetched, parsed, embedded]
    tasks:
      - name: fetch
        for_each_source: true
        run: |
          for i in 1 2 3 4; do
            if [ $i = 4 ]; then s=failed; else s=done; fi
            echo "{\\"item\\": \\"$ORCHESTRATE_SOURCE-$i\\", \\"stage\\": \\"fetched\\", \\"status\\": \\"$s\\"}" >> "$ORCHESTRATE_ITEMS"
            sleep 0.02
          done
      - name: parse
        for_each_source: true
        depends_on: [fetch]
        retries: 1
        run: |
          for i in 1 2 3; do
            echo "{\\"item\\": \\"$ORCHESTRATE_SOURCE-$i\\", \\"stage\\": \\"parsed\\", \\"status\\": \\"started\\"}" >> "$ORCHESTRATE_ITEMS"
            sleep 0.02
            if [ $i = 2 ] && [ "$ORCHESTRATE_ATTEMPT" = 1 ] && [ "$ORCHESTRATE_SOURCE" = geo ]; then s=failed; else s=done; fi
            echo "{\\"item\\": \\"$ORCHESTRATE_SOURCE-$i\\", \\"stage\\": \\"parsed\\", \\"status\\": \\"$s\\", \\"error\\": \\"try $ORCHESTRATE_ATTEMPT\\"}" >> "$ORCHESTRATE_ITEMS"
          done
          if [ "$ORCHESTRATE_ATTEMPT" = 1 ] && [ "$ORCHESTRATE_SOURCE" = geo ]; then exit 1; fi
      - name: embed
        depends_on: [parse]
        run: |
          for s in sra geo bio; do
            echo "{\\"item\\": \\"$s-1\\", \\"stage\\": \\"embedded\\", \\"status\\": \\"done\\"}" >> "$ORCHESTRATE_ITEMS"
            sleep 0.02
          done
    """

  /// One event as the test compares them.
  struct Seen: Hashable, Comparable {
    var item: String
    var run: String
    var task: String
    var attempt: Int
    var stage: String
    var status: String

    static func < (a: Seen, b: Seen) -> Bool {
      (a.item, a.run, a.task, a.attempt, a.stage, a.status)
        < (b.item, b.run, b.task, b.attempt, b.stage, b.status)
    }
  }

  /// What the task's script reports in one attempt, in order.
  static func expected(run: String, task: String, attempt: Int) -> [Seen] {
    func seen(_ item: String, _ stage: String, _ status: String) -> Seen {
      Seen(item: item, run: run, task: task, attempt: attempt, stage: stage, status: status)
    }
    if task.hasPrefix("fetch["), let source = source(of: task) {
      return (1...4).map { seen("\(source)-\($0)", "fetched", $0 == 4 ? "failed" : "done") }
    }
    if task.hasPrefix("parse["), let source = source(of: task) {
      return (1...3).flatMap { i in
        [
          seen("\(source)-\(i)", "parsed", "started"),
          seen(
            "\(source)-\(i)", "parsed",
            i == 2 && attempt == 1 && source == "geo" ? "failed" : "done"),
        ]
      }
    }
    if task == "embed" { return sources.map { seen("\($0)-1", "embedded", "done") } }
    Issue.record("a task the pipeline does not have: \(task)")
    return []
  }

  static func source(of task: String) -> String? {
    guard let open = task.firstIndex(of: "["), task.hasSuffix("]") else { return nil }
    return String(task[task.index(after: open)..<task.index(before: task.endIndex)])
  }

  func items(_ root: TestRoot, _ arguments: [String]) throws -> Invocation {
    try Orchestrate.run(["items", "chaos", "--root", root.path] + arguments)
  }

  func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  /// The ledger reads whole: the table, the JSON, and the snapshot's and
  /// its recent layer's files themselves.
  func readsWhole(_ root: TestRoot, after kill: Int) throws {
    let table = try items(root, [])
    #expect(table.exitCode == 0, "after kill \(kill): \(table.stderr)")
    let summary = try items(root, ["--json"])
    #expect(summary.exitCode == 0, "after kill \(kill): \(summary.stderr)")
    _ = try json(summary.stdout)
    let directory = "\(root.path)/metrics/chaos/items"
    #expect(throws: Never.self, "after kill \(kill)") {
      _ = try ItemSnapshot.open("\(directory)/snapshot")
      _ = try ItemSnapshot.open("\(directory)/snapshot.recent")
    }
  }

  @Test func killedAtRandomMomentsTheLedgerHoldsEveryEndedAttemptOnce() throws {
    let root = TestRoot()
    let file = root.write("pipelines/chaos.yaml", Self.pipeline)
    var generator = SystemRandomNumberGenerator()
    for kill in 1...25 {
      let run = try Orchestrate.start([file], directory: root.path)
      usleep(UInt32.random(in: 0...1_200_000, using: &generator))
      run.signal(SIGKILL)
      _ = run.wait()
      try readsWhole(root, after: kill)
    }
    // A last whole run settles the last dead one and folds everything in.
    let whole = try Orchestrate.run([file], directory: root.path)
    #expect(whole.exitCode == 0, "\(whole.stderr)")
    try readsWhole(root, after: 26)

    // What the records say ended, attempt by attempt.
    let records = try root.records("chaos")
    #expect(records.allSatisfy { $0.status != .running }, "every dead run settled")
    #expect(records.contains { $0.status == .abandoned }, "kills that landed mid-run")
    var expected: [Seen] = []
    var unended = 0
    for record in records {
      for task in record.tasks {
        for attempt in task.attempts {
          if attempt.finishedAt == nil {
            unended += 1
            continue
          }
          expected += Self.expected(run: record.runId, task: task.name, attempt: attempt.number)
        }
      }
    }
    // What the ledger holds: every item's every event.
    var ledger: [Seen] = []
    var replay: [String: [String: Int]] = [:]
    let ids = Self.sources.flatMap { source in (1...4).map { "\(source)-\($0)" } }
    for id in ids {
      let history = try items(root, ["--item", id, "--json"])
      #expect(history.exitCode == 0, "\(history.stderr)")
      let events = try json(history.stdout)["history"] as? [[String: Any]] ?? []
      var latest: [String: String] = [:]
      for event in events {
        let seen = Seen(
          item: event["item"] as? String ?? "", run: event["run"] as? String ?? "",
          task: event["task"] as? String ?? "", attempt: event["attempt"] as? Int ?? 0,
          stage: event["stage"] as? String ?? "", status: event["status"] as? String ?? "")
        ledger.append(seen)
        latest[seen.stage] = seen.status
      }
      for (stage, status) in latest { replay[stage, default: [:]][status, default: 0] += 1 }
    }
    #expect(!expected.isEmpty)
    #expect(
      ledger.sorted() == expected.sorted(),
      "ended attempts' events exactly once, none of the \(unended) unended attempts'")
    #expect(Set(ledger.map(\.run)).isSubset(of: Set(records.map(\.runId))))

    // The summary `items` shows and the snapshot's own are the replay's.
    let summary = try json(try items(root, ["--json"]).stdout)
    #expect(summary["items"] as? Int == Set(ledger.map(\.item)).count)
    for row in summary["stages"] as? [[String: Any]] ?? [] {
      let stage = row["stage"] as? String ?? ""
      for status in ["started", "done", "failed", "skipped"] {
        #expect(
          row[status] as? Int ?? 0 == replay[stage]?[status] ?? 0, "\(stage) \(status)")
      }
    }
    #expect(
      Set((summary["stages"] as? [[String: Any]] ?? []).compactMap { $0["stage"] as? String })
        == Set(replay.keys))
    let snapshot = try #require(
      try ItemSnapshot.open("\(root.path)/metrics/chaos/items/snapshot"))
    let recent = try ItemSnapshot.open("\(root.path)/metrics/chaos/items/snapshot.recent")
    let folded =
      recent.flatMap { $0.summary.generation == snapshot.summary.generation ? $0 : nil }?
      .summary ?? snapshot.summary
    #expect(folded.items == Set(ledger.map(\.item)).count)
    for (stage, statuses) in replay {
      for (status, count) in statuses {
        #expect(
          folded.count(stage, ItemStatus(rawValue: status)!) == count,
          "the snapshot's summary: \(stage) \(status)")
      }
    }
    #expect(root.tasksStillAlive().isEmpty)
  }
}
