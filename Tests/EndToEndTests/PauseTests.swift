import Foundation
import OrchestrateKit
import Testing

/// `orchestrate pause` and `resume` on a real run: its tasks stop (their
/// CPU time stands still), timeouts wait, the record and status say
/// paused; and a run whose orchestrator is killed while paused is settled
/// with nothing left stopped.
@Suite(.serialized) struct PauseTests {
  /// utime + stime of `pid` in clock ticks, and its state letter (`T`: stopped).
  static func cpu(of pid: pid_t) throws -> (ticks: Int, state: Character) {
    let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
    let end = try #require(stat.lastIndex(of: ")"))
    // Fields after the command name: state is field 3, utime 14, stime 15.
    let fields = stat[stat.index(end, offsetBy: 2)...].split(separator: " ")
    let utime = try #require(Int(fields[11]))
    let stime = try #require(Int(fields[12]))
    return (utime + stime, fields[0].first ?? "?")
  }

  static func pid(in root: TestRoot, _ file: String) throws -> pid_t {
    try root.waitFor(file)
    var text = ""
    while text.isEmpty || !text.hasSuffix("\n") { text = root.read(file) ?? "" }
    return try #require(pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)))
  }

  @Test func pausedTasksStopAndTimeoutsWaitForTheResume() throws {
    let root = TestRoot()
    // `spin` burns CPU until told to stop; `steps` needs about 3 s of time
    // not paused, its timeout is 6 s, and the run is paused for 4 s.
    let file = root.write(
      "pipelines/p.yaml",
      """
      max_parallel: 3
      tasks:
        - name: spin
          run: 'echo $$ > "$ORCHESTRATE_ROOT/spin.pid"; while [ ! -e "$ORCHESTRATE_ROOT/stop" ]; do :; done'
        - name: steps
          run: 'for i in $(seq 30); do sleep 0.1; done; echo done'
          timeout: 6s
        - {name: after, run: 'true', depends_on: [steps]}
      """)
    let run = try Orchestrate.start([file, "--root", root.path])
    let spin = try Self.pid(in: root, "spin.pid")
    // Running: its CPU time grows (the handshake that the measure below can fail).
    let start = try Self.cpu(of: spin)
    while try Self.cpu(of: spin).ticks == start.ticks { usleep(20_000) }

    let paused = try Orchestrate.run(["pause", "--last", "p", "--root", root.path])
    #expect(paused.exitCode == 0, "\(paused.stderr)")
    #expect(paused.stdout.contains("paused (since "), "\(paused.stdout)")
    let record = try root.onlyRecord("p")
    #expect(record.status == .running)
    let since = try #require(record.pausedSince, "the record says paused while paused")

    let before = try Self.cpu(of: spin)
    #expect(before.state == "T", "spin is stopped")
    usleep(4_000_000)
    let after = try Self.cpu(of: spin)
    #expect(after.ticks == before.ticks, "CPU time grew while paused: \(before) → \(after)")

    let status = try Orchestrate.run(["status", "--root", root.path])
    #expect(status.stdout.contains("PAUSED"), "\(status.stdout)")
    #expect(!status.stdout.contains("STUCK"), "\(status.stdout)")
    let json = try Orchestrate.run(["status", "--json", "--root", root.path])
    let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
    let pipeline = (report?["pipelines"] as? [[String: Any]])?.first
    let running = (pipeline?["running"] as? [[String: Any]])?.first
    #expect(running?["paused_since"] as? String == Timestamp.format(since))
    #expect(running?["stuck"] as? Bool == false)

    let again = try Orchestrate.run(["pause", "--last", "p", "--root", root.path])
    #expect(again.exitCode == 1)
    #expect(again.stderr.contains("is already paused"), "\(again.stderr)")

    let resumed = try Orchestrate.run(["resume", record.runId, "--root", root.path])
    #expect(resumed.exitCode == 0, "\(resumed.stderr)")
    let running2 = try Self.cpu(of: spin)
    #expect(running2.state != "T", "spin goes on after the resume")
    let notPaused = try Orchestrate.run(["resume", record.runId, "--root", root.path])
    #expect(notPaused.exitCode == 1)
    #expect(notPaused.stderr.contains("is not paused"), "\(notPaused.stderr)")

    _ = root.write("stop", "")
    let result = run.wait()
    #expect(result.exitCode == 0, "\(result.stderr)")
    let final = try root.onlyRecord("p")
    #expect(final.status == .completed)
    #expect(final.pausedSince == nil)
    // Paused 4 s at least: `steps` ran longer than its 6 s timeout and completed.
    #expect((final.pausedSeconds ?? 0) >= 4)
    let steps = try #require(final.task("steps"))
    #expect(steps.status == .completed)
    #expect((steps.durationSeconds ?? 0) > 6)
    #expect(final.task("after")?.status == .completed)
    let log = root.read("logs/p/\(final.runId)/orchestrate.log") ?? ""
    #expect(log.contains("run paused: 2 running task(s) stopped"), "\(log)")
    #expect(log.contains("run resumed after"), "\(log)")
    #expect(root.tasksStillAlive().isEmpty)
  }

  @Test func aRunKilledWhilePausedIsSettledAndLeavesNothingStopped() throws {
    let root = TestRoot()
    // It ignores SIGHUP: only the settling run can end it.
    let file = root.write(
      "pipelines/k.yaml",
      """
      tasks:
        - name: wait
          run: 'trap "" HUP; echo $$ > "$ORCHESTRATE_ROOT/wait.pid"; while :; do sleep 0.2; done'
          kill_grace: 1s
      """)
    let run = try Orchestrate.start([file, "--root", root.path])
    let task = try Self.pid(in: root, "wait.pid")
    let paused = try Orchestrate.run(["pause", "--last", "k", "--root", root.path])
    #expect(paused.exitCode == 0, "\(paused.stderr)")
    #expect(try Self.cpu(of: task).state == "T")
    run.signal(SIGKILL)
    _ = run.wait()

    // status tells the truth without changing anything.
    let status = try Orchestrate.run(["status", "--root", root.path])
    #expect(status.stdout.contains("abandoned"), "\(status.stdout)")
    #expect(!status.stdout.contains("PAUSED"), "\(status.stdout)")
    let refused = try Orchestrate.run(["resume", "--last", "k", "--root", root.path])
    #expect(refused.exitCode == 1)
    #expect(refused.stderr.contains("its orchestrator (pid"), "\(refused.stderr)")

    // The next run settles it: the stopped task is continued and ended.
    _ = root.write("pipelines/k.yaml", "tasks: [{name: wait, run: 'true'}]")
    let next = try Orchestrate.run([file, "--root", root.path])
    #expect(next.exitCode == 0, "\(next.stderr)")
    let settled = try #require(try root.records("k").first { $0.status == .abandoned })
    #expect(settled.pausedSince == nil)
    #expect(settled.reason?.contains("it was paused since") == true, "\(settled.reason ?? "")")
    #expect(settled.reason?.contains("killed") == true, "\(settled.reason ?? "")")
    #expect(
      (try? Self.cpu(of: task)).map { $0.state == "Z" } ?? true,
      "the task that was stopped is gone")
    #expect(root.tasksStillAlive().isEmpty, "left: \(root.tasksStillAlive())")
  }

  @Test func channelsThatWantPausedAreToldWhenTheRunPauses() throws {
    let root = TestRoot()
    let server = try RecordingHTTPServer(in: root)
    let file = root.write(
      "pipelines/n.yaml",
      """
      notify:
        - webhook: {url_env: HOOK}
          on: [paused]
        - webhook: {url_env: OTHER}
      tasks:
        - {name: a, run: 'touch "$ORCHESTRATE_ROOT/a.ready"; while [ ! -e "$ORCHESTRATE_ROOT/stop" ]; do sleep 0.1; done'}
      """)
    let run = try Orchestrate.start(
      [file, "--root", root.path],
      environment: Orchestrate.cronEnvironment([
        "HOOK": "\(server.url)/paused", "OTHER": "\(server.url)/other",
      ]))
    try root.waitFor("a.ready")
    #expect(try Orchestrate.run(["pause", "--last", "n", "--root", root.path]).exitCode == 0)
    #expect(try Orchestrate.run(["resume", "--last", "n", "--root", root.path]).exitCode == 0)
    _ = root.write("stop", "")
    #expect(run.wait().exitCode == 0)
    let requests = server.requests()
    #expect(requests.map(\.path) == ["/paused"], "only the channel that wants it")
    let message = try #require(requests.first?.json)
    #expect(message["event"] as? String == "paused")
    #expect((message["title"] as? String)?.hasPrefix("n PAUSED on ") == true, "\(message)")
    #expect((message["reason"] as? String)?.hasPrefix("paused since ") == true, "\(message)")
  }

  @Test func anotherUserMayNotPauseTheRun() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/o.yaml",
      """
      files: {readable_by: everyone}
      tasks:
        - {name: a, run: 'touch "$ORCHESTRATE_ROOT/a.ready"; while [ ! -e "$ORCHESTRATE_ROOT/stop" ]; do sleep 0.1; done'}
      """)
    let run = try Orchestrate.start([file, "--root", root.path])
    try root.waitFor("a.ready")
    let record = try root.onlyRecord("o")
    let refused = try OtherUserTests.asNobody([
      Orchestrate.binary, "pause", "--last", "o", "--root", root.path,
    ])
    #expect(refused.exitCode == 1)
    #expect(
      refused.stderr
        == "orchestrate: not allowed: run \(record.runId) is \(record.user)'s, and only they "
        + "(or root) may pause or resume it\n")
    #expect(try root.onlyRecord("o").pausedSince == nil)
    _ = root.write("stop", "")
    #expect(run.wait().exitCode == 0)
  }

  @Test func pauseAndResumeSayClearlyWhyNot() throws {
    let root = TestRoot()
    let file = root.write("pipelines/q.yaml", "tasks: [{name: a, run: 'true'}]")
    #expect(try Orchestrate.run([file, "--root", root.path]).exitCode == 0)
    let done = try root.onlyRecord("q")
    let ended = try Orchestrate.run(["pause", done.runId, "--root", root.path])
    #expect(ended.exitCode == 1)
    #expect(ended.stderr == "orchestrate: run \(done.runId) is not running (it ended completed)\n")
    let unknown = try Orchestrate.run(["pause", "run_20200101_000000_1", "--root", root.path])
    #expect(unknown.exitCode == 2)
    #expect(unknown.stderr.contains("no run 'run_20200101_000000_1'"), "\(unknown.stderr)")
    let malformed = try Orchestrate.run(["resume", "../x", "--root", root.path])
    #expect(malformed.exitCode == 2)
    #expect(malformed.stderr.contains("is not a run id"), "\(malformed.stderr)")
    let noPipeline = try Orchestrate.run(["resume", "--last", "nope", "--root", root.path])
    #expect(noPipeline.exitCode == 2)
    #expect(noPipeline.stderr.contains("no runs of pipeline 'nope'"), "\(noPipeline.stderr)")
  }
}
