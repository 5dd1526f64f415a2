import Foundation
import OrchestrateKit
import Testing

/// Messages say what happened: a task `when:` left out is not wanted, never
/// "not completed"; titles say what they count; a run of other sources does
/// not announce a recovery; one retry in a first run is no warning.
@Suite(.serialized) struct TruthfulMessagesTests {
  func run(_ root: TestRoot, _ server: RecordingHTTPServer, _ extra: [String] = [])
    throws -> Invocation
  {
    try Orchestrate.run(
      ["nightly", "--root", root.path] + extra,
      environment: Orchestrate.cronEnvironment(["HOOK": "\(server.url)/hook"]))
  }

  func messages(_ server: RecordingHTTPServer) -> [[String: Any]] {
    server.requests().compactMap(\.json)
  }

  @Test func tasksLeftOutByWhenAreNotWantedAnywhere() throws {
    let root = TestRoot()
    let server = try RecordingHTTPServer(in: root)
    root.write(
      "pipelines/nightly.yaml",
      """
      params: {full_refresh: {type: bool, default: false}}
      notify:
        - webhook: {url_env: HOOK}
      tasks:
        - {name: extract, run: 'test ! -e "$ORCHESTRATE_ROOT/broken"'}
        - {name: full_reload, run: 'true', when: full_refresh}
        - {name: load, run: 'true'}
      """)
    root.write("broken", "")
    let failed = try run(root, server)
    #expect(failed.exitCode == 1)
    #expect(!failed.stdout.contains("full_reload"), "\(failed.stdout)")
    let record = try root.onlyRecord("nightly")
    // What a terminal shows at the end.
    let summary = RunSummary.render(
      record, metricsFile: "m.json", style: TerminalStyle(colors: false))
    #expect(summary.contains("1 of 3 tasks completed, 1 failed, 1 not wanted"), "\(summary)")
    #expect(!summary.contains("full_reload"), "\(summary)")
    #expect(record.task("full_reload")?.status == .notWanted)
    #expect(record.status == .partial)

    unlink("\(root.path)/broken")
    #expect(try run(root, server).exitCode == 0)
    let sent = messages(server)
    #expect(sent.count == 2)
    #expect(
      sent.first?["title"] as? String
        == "nightly PARTIAL on \(record.host): 1 of 2 tasks did not complete")
    #expect(
      (sent.first?["failed_tasks"] as? [[String: Any]])?.map { $0["name"] as? String } == [
        "extract"
      ])
    #expect(
      sent.last?["title"] as? String
        == "nightly RECOVERED on \(record.host): 2 of 2 tasks completed")
    #expect((sent.last?["failed_tasks"] as? [Any])?.isEmpty == true)

    let status = try Orchestrate.run(["status", "nightly", "--root", root.path])
    #expect(!status.stdout.contains("not completed"), "\(status.stdout)")
    #expect(!status.stdout.contains("full_reload skipped"), "\(status.stdout)")
  }

  @Test func aRunOfOtherSourcesDoesNotAnnounceARecovery() throws {
    let root = TestRoot()
    let server = try RecordingHTTPServer(in: root)
    root.write(
      "pipelines/nightly.yaml",
      """
      sources: [geo, pride]
      notify:
        - webhook: {url_env: HOOK}
      tasks:
        - name: extract
          for_each_source: true
          run: 'test "$ORCHESTRATE_SOURCE" != pride || test ! -e "$ORCHESTRATE_ROOT/broken"'
      """)
    root.write("broken", "")
    #expect(try run(root, server).exitCode == 1)
    #expect(try run(root, server, ["--source", "geo"]).exitCode == 0)
    #expect(messages(server).compactMap { $0["event"] as? String } == ["partial"])
    unlink("\(root.path)/broken")
    #expect(try run(root, server, ["--source", "pride"]).exitCode == 0)
    #expect(messages(server).compactMap { $0["event"] as? String } == ["partial", "recovery"])
  }

  @Test func oneRetryInAFirstRunIsNoWarning() throws {
    let root = TestRoot()
    root.write(
      "pipelines/nightly.yaml",
      """
      tasks:
        - name: flaky
          run: 'if [ ! -e "$ORCHESTRATE_ROOT/tried" ]; then touch "$ORCHESTRATE_ROOT/tried"; exit 1; fi'
          retries: 1
          retry_delay: 0.01
      """)
    #expect(try Orchestrate.run(["nightly", "--root", root.path]).exitCode == 0)
    let check = try Orchestrate.run(["status", "--check", "--root", root.path])
    #expect(check.exitCode == 0, "\(check.stdout)")
    #expect(!check.stdout.contains("needed retries"), "\(check.stdout)")
  }
}
