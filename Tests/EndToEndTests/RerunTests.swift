import Foundation
import OrchestrateKit
import Testing

/// The 2 a.m. failure: one source's remote answered 503. After the fix,
/// `rerun` runs only what did not complete, and what depends on it.
@Suite(.serialized) struct RerunTests {
  /// Every task appends its name to `ran`; extract[b] fails until `fixed` exists.
  static func pipeline(_ root: TestRoot, extra: String = "") -> String {
    root.write(
      "pipelines/nightly.yaml",
      """
      sources: [a, b]
      params:
        region: {type: choice, choices: [eu, us], default: eu}
      \(extra)
      tasks:
        - name: extract
          for_each_source: true
          run: 'echo "extract[$ORCHESTRATE_SOURCE] $REGION $ORCHESTRATE_DATE" >> ran; echo "out of $ORCHESTRATE_SOURCE"; [ "$ORCHESTRATE_SOURCE" != b ] || [ -e fixed ]'
        - {name: transform, run: 'echo transform >> ran', depends_on: [extract]}
        - {name: report, run: 'echo report >> ran', depends_on: [transform], run_if: always}
      """)
  }

  func ran(_ root: TestRoot) -> [String] {
    (root.read("ran") ?? "").split(separator: "\n").map { String($0.split(separator: " ")[0]) }
  }

  @Test func rerunRunsOnlyWhatDidNotCompleteAndWhatDependsOnIt() throws {
    let root = TestRoot()
    let file = Self.pipeline(root)
    let first = try Orchestrate.run([file, "-p", "region=us", "--date", "2026-11-29"])
    #expect(first.exitCode == 1)
    #expect(ran(root) == ["extract[a]", "extract[b]", "report"])
    let original = try root.onlyRecord("nightly")

    root.write("fixed", "")
    unlink("\(root.path)/ran")
    let dry = try Orchestrate.run(["rerun", "--last", "nightly", "--root", root.path, "--dry-run"])
    #expect(dry.exitCode == 0, "\(dry.stderr)")
    #expect(dry.stdout.contains("rerun of \(original.runId)"))
    #expect(dry.stdout.contains("extract[a]  (reused from \(original.runId))"), "\(dry.stdout)")
    #expect(!root.exists("ran"))

    let rerun = try Orchestrate.run(["rerun", "--last", "nightly", "--root", root.path])
    #expect(rerun.exitCode == 0, "\(rerun.stderr)")
    #expect(ran(root) == ["extract[b]", "transform", "report"])
    // Same parameters and logical date as the failed night.
    #expect(root.read("ran")?.hasPrefix("extract[b] us 2026-11-29\n") == true)
    let record = try #require(try root.records("nightly").first { $0.runId != original.runId })
    #expect(record.status == .completed)
    #expect(record.rerunOf == original.runId)
    #expect(record.params?["region"] == "us")
    #expect(record.logicalDate == "2026-11-29")
    let reused = try #require(record.task("extract[a]"))
    #expect(reused.status == .completed)
    #expect(reused.reusedFrom == original.runId)
    #expect(reused.startedAt == original.task("extract[a]")?.startedAt)
    #expect(reused.cpuUserSeconds == original.task("extract[a]")?.cpuUserSeconds)
    #expect(record.task("extract[b]")?.reusedFrom == nil)
    #expect(try root.records("nightly").first { $0.runId == original.runId } == original)

    let logs = try Orchestrate.run(["logs", record.runId, "extract[a]", "--root", root.path])
    #expect(logs.stdout.contains("out of a\n"), "\(logs.stdout)\(logs.stderr)")

    // Healthy again; the reused task is not counted as a second run.
    let check = try Orchestrate.run(["status", "--check", "--root", root.path])
    #expect(check.exitCode == 0, "\(check.stdout)")
    let json = try Orchestrate.run(["status", "--json", "--root", root.path])
    let document = try #require(
      try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    let pipeline = try #require((document["pipelines"] as? [[String: Any]])?.first)
    let tasks = try #require(pipeline["tasks"] as? [[String: Any]])
    let extractA = try #require(tasks.first { $0["name"] as? String == "extract[a]" })
    #expect(extractA["runs"] as? Int == 1, "\(extractA)")

    let nothing = try Orchestrate.run(["rerun", "--last", "nightly", "--root", root.path])
    #expect(nothing.exitCode == 2)
    #expect(nothing.stderr.contains("nothing to rerun: \(record.runId) completed; use --task"))
  }

  @Test func rerunAfterAKilledOrchestrator() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/p.yaml",
      """
      tasks:
        - {name: first, run: 'echo first >> ran'}
        - {name: slow, run: 'echo slow >> ran; [ -e fixed ] || { touch started; sleep 300; } # \(root.marker)', depends_on: [first]}
        - {name: last, run: 'echo last >> ran', depends_on: [slow]}
      """)
    let killed = try Orchestrate.start([file])
    try root.waitFor("started")
    killed.signal(SIGKILL)
    _ = killed.wait()
    root.write("fixed", "")
    let rerun = try Orchestrate.run(["rerun", "--last", "p", "--root", root.path])
    #expect(rerun.exitCode == 0, "\(rerun.stderr)")
    #expect(ran(root) == ["first", "slow", "slow", "last"])
    let records = try root.records("p")
    let original = try #require(records.first { $0.pid == killed.pid })
    #expect(original.status == .abandoned)
    let record = try #require(records.first { $0.rerunOf == original.runId })
    #expect(record.task("first")?.reusedFrom == original.runId)
    #expect(record.task("slow")?.reusedFrom == nil)
    #expect(root.processes().isEmpty)
  }

  @Test func rerunAfterSIGTERMAndAfterATimeout() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/p.yaml",
      """
      tasks:
        - {name: first, run: 'echo first >> ran'}
        - {name: slow, run: 'echo slow >> ran; [ -e fixed ] || { touch started; sleep 300; } # \(root.marker)', depends_on: [first], timeout: 20s, kill_grace: 1s}
      """)
    let cancelled = try Orchestrate.start([file])
    try root.waitFor("started")
    cancelled.signal(SIGTERM)
    #expect(cancelled.wait().signal == SIGTERM)
    let timedOut = root.write(
      "pipelines/p.yaml",
      (root.read("pipelines/p.yaml") ?? "").replacingOccurrences(
        of: "timeout: 20s", with: "timeout: 1s"))
    unlink("\(root.path)/started")
    let afterCancel = try Orchestrate.run(["rerun", "--last", "p", "--root", root.path])
    #expect(afterCancel.exitCode == 1)
    let records = try root.records("p").sorted { $0.startedAt < $1.startedAt }
    #expect(records.count == 2)
    #expect(records[1].rerunOf == records[0].runId)
    #expect(records[1].task("slow")?.status == .timedOut)
    root.write("fixed", "")
    let afterTimeout = try Orchestrate.run(["rerun", records[1].runId, "--root", root.path])
    #expect(afterTimeout.exitCode == 0, "\(afterTimeout.stderr)")
    let last = try root.records("p").sorted { $0.startedAt < $1.startedAt }[2]
    #expect(last.rerunOf == records[1].runId)
    // Taken over from the run that really ran it, two runs back.
    #expect(last.task("first")?.reusedFrom == records[0].runId)
    #expect(ran(root) == ["first", "slow", "slow", "slow"])
    _ = timedOut
  }

  @Test func rerunOfChosenTasksAndOfAChangedPipeline() throws {
    let root = TestRoot()
    let file = Self.pipeline(root)
    root.write("fixed", "")
    #expect(try Orchestrate.run([file]).exitCode == 0)
    let original = try root.onlyRecord("nightly")
    unlink("\(root.path)/ran")
    let one = try Orchestrate.run([
      "rerun", original.runId, "--task", "extract[b]", "--root", root.path,
    ])
    #expect(one.exitCode == 0, "\(one.stderr)")
    #expect(ran(root) == ["extract[b]"])
    unlink("\(root.path)/ran")
    let downstream = try Orchestrate.run(
      ["rerun", original.runId, "--task", "transform", "--downstream", "--root", root.path])
    #expect(downstream.exitCode == 0)
    #expect(ran(root) == ["transform", "report"])

    // The fix is in the file: a task removed, a task added.
    root.write(
      "pipelines/nightly.yaml",
      (root.read("pipelines/nightly.yaml") ?? "").replacingOccurrences(
        of:
          "  - {name: report, run: 'echo report >> ran', depends_on: [transform], run_if: always}",
        with: "  - {name: publish, run: 'echo publish >> ran', depends_on: [transform]}"))
    unlink("\(root.path)/ran")
    let changed = try Orchestrate.run([
      "rerun", original.runId, "--root", root.path, "--task", "extract",
    ])
    #expect(changed.exitCode == 0, "\(changed.stderr)")
    #expect(ran(root) == ["extract[a]", "extract[b]", "publish"])
    let record = try #require(try root.records("nightly").max { $0.startedAt < $1.startedAt })
    #expect(
      record.warnings == ["task report of \(original.runId) is no longer in the pipeline; dropped"])
    #expect(record.originalPipelineSha256 == original.pipelineSha256)
    #expect(record.pipelineSha256 != original.pipelineSha256)
    #expect(record.task("transform")?.reusedFrom == original.runId)
  }

  @Test func rerunReadsTheOriginalsLogsOnceArchived() throws {
    let root = TestRoot()
    let file = Self.pipeline(root, extra: "logs: {compress_after: 1ms}")
    #expect(try Orchestrate.run([file]).exitCode == 1)
    let original = try root.onlyRecord("nightly")
    let rotate = try Orchestrate.run(["rotate", "--root", root.path])
    #expect(rotate.exitCode == 0, "\(rotate.stderr)")
    #expect(root.exists("logs/nightly/\(original.runId).tar.gz"))
    #expect(!root.exists("logs/nightly/\(original.runId)"))
    root.write("fixed", "")
    #expect(try Orchestrate.run(["rerun", original.runId, "--root", root.path]).exitCode == 0)
    let rerun = try #require(try root.records("nightly").first { $0.rerunOf == original.runId })
    let logs = try Orchestrate.run(["logs", rerun.runId, "extract[a]", "--root", root.path])
    #expect(logs.exitCode == 0, "\(logs.stderr)")
    #expect(logs.stdout.contains("out of a\n"))
    let status = try Orchestrate.run(["status", "--root", root.path])
    #expect(status.stdout.contains("rerun of \(original.runId)"), "\(status.stdout)")
  }

  @Test func runPartOfAPipeline() throws {
    let root = TestRoot()
    let file = Self.pipeline(root)
    root.write("fixed", "")
    let result = try Orchestrate.run([file, "--task", "transform", "--with-dependencies"])
    #expect(result.exitCode == 0, "\(result.stderr)")
    #expect(ran(root) == ["extract[a]", "extract[b]", "transform"])
    let record = try root.onlyRecord("nightly")
    #expect(record.taskFilter == ["transform"])
    #expect(record.tasks.map(\.name) == ["extract[a]", "extract[b]", "transform"])
    let unknown = try Orchestrate.run([file, "--task", "transfrom"])
    #expect(unknown.exitCode == 2)
    #expect(unknown.stderr.contains("unknown task 'transfrom' (did you mean 'transform'?)"))
  }
}
