import Foundation
import OrchestrateKit
import Testing

/// What status and `status --notify` make of a pipeline that never ran, of
/// one whose last success is too old, and of a refusal nobody heard of.
@Suite(.serialized) struct NeverSilentStatusTests {
  func status(_ root: TestRoot, _ arguments: String...) throws -> Invocation {
    try Orchestrate.run(["status", "--root", root.path] + arguments)
  }

  func statusNotify(_ root: TestRoot, _ server: RecordingHTTPServer) throws -> Invocation {
    try Orchestrate.run(
      ["status", "--notify", "--quiet", "--root", root.path],
      environment: Orchestrate.cronEnvironment(["HOOK": "\(server.url)/hook"]))
  }

  func events(_ server: RecordingHTTPServer) -> [String] {
    server.requests().compactMap { $0.json?["event"] as? String }
  }

  /// Sets a file's modification time `seconds` into the past.
  func backdate(_ path: String, by seconds: Double) {
    let then = Date().addingTimeInterval(-seconds).timeIntervalSince1970
    var times = [
      timeval(tv_sec: Int(then), tv_usec: 0), timeval(tv_sec: Int(then), tv_usec: 0),
    ]
    utimes(path, &times)
  }

  static let everyFiveMinutes = """
    schedule: "*/5 * * * *"
    notify:
      - webhook: {url_env: HOOK}
    tasks: [{name: a, run: 'true'}]
    """

  /// A crontab line never installed: the file has been there two days and
  /// nothing ran. Missed, CRITICAL everywhere, told once.
  @Test func aScheduledPipelineThatNeverRanIsMissed() throws {
    let root = TestRoot()
    let server = try RecordingHTTPServer(in: root)
    let file = root.write("pipelines/fresh.yaml", Self.everyFiveMinutes)
    backdate(file, by: 2 * 86400)

    let text = try status(root)
    #expect(text.stdout.contains("fresh  CRITICAL"), "\(text.stdout)")
    #expect(text.stdout.contains("it has never run"), "\(text.stdout)")
    let check = try status(root, "--check")
    #expect(check.exitCode == 2, "\(check.stdout)")
    #expect(check.stdout.hasPrefix("ORCHESTRATE CRITICAL"), "\(check.stdout)")
    let named = try status(root, "fresh", "--check")
    #expect(named.exitCode == 2, "\(named.stdout)")
    let json = try status(root, "--json")
    #expect(json.stdout.contains("\"missed\""), "\(json.stdout)")
    let metrics = "\(root.path)/fresh.prom"
    #expect(try status(root, "--prometheus", metrics).exitCode == 0)
    let prometheus = try String(contentsOfFile: metrics, encoding: .utf8)
    #expect(prometheus.contains("orchestrate_missed_run{pipeline=\"fresh\"} 1"), "\(prometheus)")

    #expect(try statusNotify(root, server).exitCode == 0)
    #expect(events(server) == ["missed"])
    let message = try #require(server.requests().first?.json)
    #expect((message["reason"] as? String)?.contains("it has never run") == true, "\(message)")
    _ = try statusNotify(root, server)
    #expect(events(server) == ["missed"], "once per occurrence")
  }

  /// Just written, or just installed: nothing is owed yet.
  @Test func aNewOrJustInstalledPipelineIsNotMissedYet() throws {
    let root = TestRoot()
    root.write("pipelines/fresh.yaml", Self.everyFiveMinutes)
    let new = try status(root, "--check")
    #expect(new.exitCode == 3, "\(new.stdout)")
    #expect(new.stdout.contains("no runs recorded"), "\(new.stdout)")

    let old = root.write("pipelines/old.yaml", Self.everyFiveMinutes)
    backdate(old, by: 2 * 86400)
    DeclaredPipelines.noteInstalled(["old"], layout: RootLayout(root: root.path))
    let installed = try status(root, "old", "--check")
    #expect(installed.exitCode == 3, "\(installed.stdout)")
  }

  /// `max_age` without a schedule: a success 20 minutes old is stale, and
  /// told once.
  @Test func aStaleSuccessIsToldOnce() throws {
    let root = TestRoot()
    let server = try RecordingHTTPServer(in: root)
    root.write(
      "pipelines/fresh.yaml",
      """
      max_age: 1m
      notify:
        - webhook: {url_env: HOOK}
      tasks: [{name: a, run: 'true'}]
      """)
    try Orchestrate.run(["fresh", "--root", root.path])
    try MissedRunStatusTests().age(root, pipeline: "fresh", by: 20 * 60)
    let text = try status(root)
    #expect(text.stdout.contains("CRITICAL no successful run within max_age 1m"), "\(text.stdout)")

    _ = try statusNotify(root, server)
    #expect(events(server) == ["missed"])
    let message = try #require(server.requests().first?.json)
    #expect((message["title"] as? String)?.hasPrefix("fresh STALE") == true, "\(message)")
    _ = try statusNotify(root, server)
    #expect(events(server) == ["missed"])
  }

  /// A refusal whose own message reached nobody (its variable was not set
  /// under cron) is told by the next `status --notify`.
  @Test func aRefusalNobodyHeardIsToldByStatus() throws {
    let root = TestRoot()
    let server = try RecordingHTTPServer(in: root)
    root.write(
      "pipelines/nightly.yaml",
      """
      notify:
        - webhook: {url_env: HOOK}
      tasks: [{name: a, argv: [no-such-program-anywhere]}]
      """)
    #expect(try Orchestrate.run(["nightly", "--root", root.path]).exitCode == 2)
    #expect(events(server).isEmpty)
    _ = try statusNotify(root, server)
    #expect(events(server) == ["failure"])
    let message = try #require(server.requests().first?.json)
    #expect((message["title"] as? String)?.hasPrefix("nightly REFUSED") == true, "\(message)")
    _ = try statusNotify(root, server)
    #expect(events(server) == ["failure"])
  }
}
