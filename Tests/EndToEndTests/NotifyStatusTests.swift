import Foundation
import OrchestrateKit
import Testing

/// `status --notify` tells the channels what no run can (a missed night, a
/// stuck run) once per occurrence, then that it cleared; `notify test`
/// prints what each endpoint answered.
@Suite(.serialized) struct NotifyStatusTests {
  func statusNotify(_ root: TestRoot, _ environment: [String: String]) throws -> Invocation {
    try Orchestrate.run(
      ["status", "--notify", "--quiet", "--root", root.path],
      environment: Orchestrate.cronEnvironment(environment))
  }

  func events(_ server: RecordingHTTPServer) -> [String] {
    server.requests().compactMap { $0.json?["event"] as? String }
  }

  @Test func aMissedNightOnceThenItsRecovery() throws {
    let root = TestRoot()
    let server = try RecordingHTTPServer(in: root)
    let environment = ["HOOK": "\(server.url)/hook"]
    // Due every day two hours ago (UTC): the derived grace of an hour has passed.
    let due = Date().addingTimeInterval(-2 * 3600)
    root.write(
      "pipelines/nightly.yaml",
      """
      schedule: "\(MissedRunStatusTests.daily(at: due))"
      timezone: UTC
      notify:
        - webhook: {url_env: HOOK}
          on: [missed, stuck, recovery]
      tasks: [{name: a, run: 'true'}]
      """)
    try Orchestrate.run(
      ["nightly", "--root", root.path], environment: Orchestrate.cronEnvironment(environment))
    try MissedRunStatusTests().age(root, pipeline: "nightly", by: 2 * 86400)

    let first = try statusNotify(root, environment)
    #expect(first.exitCode == 0 && first.stdout.isEmpty, "\(first.stderr)")
    #expect(events(server) == ["missed"])
    let missed = try #require(server.requests().first?.json)
    #expect((missed["title"] as? String)?.hasPrefix("nightly MISSED on ") == true)
    #expect((missed["reason"] as? String)?.contains("missed run: due ") == true)

    try statusNotify(root, environment)
    #expect(events(server) == ["missed"], "once per occurrence")

    try Orchestrate.run(
      ["nightly", "--manual", "--root", root.path],
      environment: Orchestrate.cronEnvironment(environment))
    let cleared = try Orchestrate.run(
      ["status", "--notify", "--root", root.path],
      environment: Orchestrate.cronEnvironment(environment))
    #expect(cleared.stdout.contains("nightly: recovery sent to webhook (127.0.0.1)"))
    #expect(events(server) == ["missed", "recovery"])
    try statusNotify(root, environment)
    #expect(events(server) == ["missed", "recovery"])
  }

  @Test func aStuckRunOnceThenItsRecovery() throws {
    let root = TestRoot()
    let server = try RecordingHTTPServer(in: root)
    let environment = ["HOOK": "\(server.url)/hook"]
    root.write(
      "pipelines/slow.yaml",
      """
      stuck_after: 1s
      notify:
        - webhook: {url_env: HOOK}
          on: [stuck, recovery]
      tasks:
        - name: wait
          run: 'touch "$ORCHESTRATE_ROOT/started"; while [ ! -e "$ORCHESTRATE_ROOT/release" ]; do sleep 0.05; done # \(root.marker)'
      """)
    let run = try Orchestrate.start(
      ["slow", "--root", root.path],
      environment: Orchestrate.cronEnvironment(environment))
    try root.waitFor("started")
    // Readiness: status itself says when the run has passed its threshold.
    let deadline = Date().addingTimeInterval(60)
    while true {
      let json = try Orchestrate.run(["status", "--json", "--root", root.path])
      if json.stdout.contains("\"stuck\" : true") { break }
      try #require(Date() < deadline, "the run never became stuck")
      usleep(100_000)
    }
    let first = try statusNotify(root, environment)
    #expect(first.exitCode == 0, "\(first.stderr)")
    #expect(events(server) == ["stuck"])
    let stuck = try #require(server.requests().first?.json)
    #expect((stuck["run_id"] as? String)?.hasPrefix("run_") == true)
    #expect((stuck["reason"] as? String)?.contains("stuck after 1") == true, "\(stuck)")
    try statusNotify(root, environment)
    #expect(events(server) == ["stuck"], "once per occurrence")

    root.write("release", "")
    #expect(run.wait().exitCode == 0)
    try statusNotify(root, environment)
    #expect(events(server) == ["stuck", "recovery"])
  }

  @Test func notifyTestPrintsEachAnswer() throws {
    let root = TestRoot()
    let good = try RecordingHTTPServer(in: root, name: "good")
    let bad = try RecordingHTTPServer(in: root, name: "bad", plan: "404")
    root.write(
      "pipelines/daily.yaml",
      """
      notify:
        - slack: {url_env: GOOD}
        - webhook: {url_env: BAD}
      tasks: [{name: a, run: 'true'}]
      """)
    let environment = Orchestrate.cronEnvironment([
      "GOOD": "\(good.url)/s", "BAD": "\(bad.url)/w",
    ])
    let both = try Orchestrate.run(
      ["notify", "test", "daily", "--root", root.path], environment: environment)
    #expect(both.exitCode == 1)
    #expect(
      both.stdout.contains("notify[0] slack (127.0.0.1): delivered, HTTP 200: ok"), "\(both.stdout)"
    )
    #expect(
      both.stdout.contains("notify[1] webhook (127.0.0.1): not delivered: HTTP 404: not now"),
      "\(both.stdout)")
    let slack = try #require(good.requests().first?.json)
    #expect((slack["text"] as? String)?.contains("daily TEST on") == true)

    let one = try Orchestrate.run(
      ["notify", "test", "daily", "--channel", "0", "--root", root.path], environment: environment)
    #expect(one.exitCode == 0)
    #expect(good.requests().count == 2 && bad.requests().count == 1)

    let wrong = try Orchestrate.run(
      ["notify", "test", "daily", "--channel", "5", "--root", root.path], environment: environment)
    #expect(wrong.exitCode == 2)
    #expect(wrong.stderr.contains("--channel 5: the pipeline has channels 0 to 1"))
    #expect(!root.exists("metrics"), "a test message writes nothing")
  }
}
