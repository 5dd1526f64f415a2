import Foundation
import OrchestrateKit
import Testing

/// `items: {keep_events: …}`: rotation deletes the item events of old runs,
/// never the snapshot; an item's history then shows what is kept and says so.
@Suite(.serialized) struct ItemRetentionTests {
  func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  /// A segment as a run that started `daysAgo` would have left it: one
  /// attempt of `fetch` that fetched `old-item` and failed to parse it.
  func writeOldSegment(_ root: TestRoot, daysAgo: Double, pid: Int32) -> String {
    let started = Date().addingTimeInterval(-daysAgo * 86400)
    let run = RunID(startedAt: started, pid: pid).text
    let at = Int64(started.timeIntervalSince1970 * 1000)
    root.write(
      "metrics/p/items/segments/\(run).events",
      "E\told-item\tfetched\tdone\t\(at)\tfetch\t1\t\t\t\t\n"
        + "E\told-item\tparsed\tfailed\t\(at + 1)\tfetch\t1\tno title\t\t\t\n"
        + "C\tfetch\t1\t2\n")
    return run
  }

  func segments(_ root: TestRoot) -> Set<String> {
    Set(
      (try? FileManager.default.contentsOfDirectory(
        atPath: "\(root.path)/metrics/p/items/segments")) ?? [])
  }

  @Test func rotationDeletesOldRunsEventsAndKeepsTheSnapshot() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/p.yaml",
      """
      items:
        stages: [fetched, parsed]
        keep_events: 30d
      tasks:
        - name: fetch
          run: |
            echo '{"item": "a1", "stage": "fetched", "status": "done"}' >> "$ORCHESTRATE_ITEMS"
            echo '{"item": "a2", "stage": "fetched", "status": "failed", "error": "gone"}' >> "$ORCHESTRATE_ITEMS"
      """)
    #expect(try Orchestrate.run([file]).exitCode == 0)
    let first = try root.onlyRecord("p").runId
    let oldest = writeOldSegment(root, daysAgo: 60, pid: 11)
    let old = writeOldSegment(root, daysAgo: 50, pid: 12)
    let recent = writeOldSegment(root, daysAgo: 20, pid: 13)

    let plan = try Orchestrate.run(["rotate", "--dry-run", "--root", root.path])
    #expect(plan.exitCode == 0, "\(plan.stderr)")
    #expect(plan.stdout.contains("p: would delete item events of \(oldest) ("), "\(plan.stdout)")
    #expect(plan.stdout.contains("p: would delete item events of \(old) ("), "\(plan.stdout)")
    #expect(!plan.stdout.contains(recent) && !plan.stdout.contains(first), "\(plan.stdout)")
    #expect(plan.stdout.contains("the item events of 2 run(s)"), "\(plan.stdout)")
    #expect(segments(root).contains("\(oldest).events"), "a dry run deletes nothing")

    let rotate = try Orchestrate.run(["rotate", "--root", root.path])
    #expect(rotate.exitCode == 0, "\(rotate.stderr)")
    let left = segments(root)
    #expect(!left.contains("\(oldest).events") && !left.contains("\(oldest).index"))
    #expect(!left.contains("\(old).events") && !left.contains("\(old).index"))
    #expect(left.isSuperset(of: ["\(first).events", "\(first).index", "\(recent).events"]))

    // The snapshot still counts what the deleted events said.
    let summary = try json(
      try Orchestrate.run(["items", "p", "--json", "--root", root.path]).stdout)
    #expect(summary["items"] as? Int == 3)
    let stages = try #require(summary["stages"] as? [[String: Any]])
    #expect(stages.first { $0["stage"] as? String == "parsed" }?["failed"] as? Int == 1)
    #expect(stages.first { $0["stage"] as? String == "fetched" }?["done"] as? Int == 2)

    // Its history: only the kept run's events, and a word on the others.
    let historyRun = try Orchestrate.run(
      ["items", "p", "--item", "old-item", "--json", "--root", root.path])
    let history = try json(historyRun.stdout)
    let events = try #require(history["history"] as? [[String: Any]])
    #expect(events.map { $0["run"] as? String } == [recent, recent])
    #expect(history["history_removed_runs"] as? Int == 2)
    let text = try Orchestrate.run(["items", "p", "--item", "old-item", "--root", root.path])
    #expect(
      text.stdout.contains("kept events only: those of 2 older run(s) were deleted"),
      "\(text.stdout)")
    let schema = try SchemaTests().check(
      "items.schema.json", [root.write("history.json", historyRun.stdout)])
    #expect(schema.status == 0, "\(schema.output)")

    // A run's own rotation at its end does the same.
    let another = writeOldSegment(root, daysAgo: 40, pid: 14)
    #expect(try Orchestrate.run([file]).exitCode == 0)
    #expect(!segments(root).contains("\(another).events"))
    let newest = try #require(try root.records("p").last?.runId)
    let log = try #require(root.read("logs/p/\(newest)/orchestrate.log"))
    #expect(log.contains("logs: deleted item events of \(another) ("), "\(log)")
    let after = try json(
      try Orchestrate.run(["items", "p", "--item", "old-item", "--json", "--root", root.path])
        .stdout)
    #expect(after["history_removed_runs"] as? Int == 3)
  }

  @Test func keepEventsNeverKeepsThemAll() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/p.yaml",
      """
      items: {keep_events: never}
      tasks:
        - name: fetch
          run: |
            echo '{"item": "a1", "stage": "fetched", "status": "done"}' >> "$ORCHESTRATE_ITEMS"
      """)
    #expect(try Orchestrate.run([file]).exitCode == 0)
    let ancient = writeOldSegment(root, daysAgo: 400, pid: 21)
    #expect(try Orchestrate.run(["rotate", "--root", root.path]).exitCode == 0)
    #expect(segments(root).contains("\(ancient).events"))
    let bad = root.write("bad.yaml", "items: {keep_events: 0s}\ntasks: [{name: a, run: 'true'}]")
    let validate = try Orchestrate.run(["validate", bad])
    #expect(validate.exitCode == 2)
    #expect(
      validate.stderr.contains("items.keep_events: must be longer than zero"), "\(validate.stderr)")
  }
}
