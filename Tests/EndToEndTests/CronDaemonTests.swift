import Foundation
import OrchestrateKit
import Testing

/// Under Debian's own cron daemon: no terminal, PATH=/usr/bin:/bin, the
/// working directory is the user's home. A run that went well prints
/// nothing (so cron sends no mail); one that failed prints its report.
@Suite(.serialized) struct CronDaemonTests {
  @Test func underCronACleanRunIsSilentAndAFailedOneReports() throws {
    try Self.ensureCronIsRunning()
    let root = TestRoot()
    root.write("pipelines/good.yaml", "tasks: [{name: a, run: 'echo fine'}]")
    root.write("pipelines/bad.yaml", "tasks: [{name: a, run: 'echo broken >&2; exit 3'}]")
    let binary = Orchestrate.binary
    let dir = root.path
    let job =
      "{ \(binary) \(dir)/pipelines/good.yaml >\(dir)/good.out 2>\(dir)/good.err;"
      + " echo $? >\(dir)/good.rc; \(binary) \(dir)/pipelines/bad.yaml >\(dir)/bad.out 2>\(dir)/bad.err;"
      + " echo $? >\(dir)/bad.rc; pwd >\(dir)/cwd; echo \"$PATH\" >\(dir)/path; touch \(dir)/done; }"
    try Self.runOnceUnderCron(job, root: root)

    #expect(root.read("good.rc") == "0\n")
    #expect(root.read("good.out") == "" && root.read("good.err") == "", "no mail for a good night")
    #expect(root.read("bad.rc") == "1\n")
    #expect(root.read("bad.err") == "")
    let bad = try root.onlyRecord("bad")
    let report = try #require(root.read("bad.out"))
    #expect(report.hasPrefix("bad \(bad.runId) failed in "), "\(report)")
    #expect(report.contains("\n  failed    a  exit 3\n"))
    #expect(report.contains("\n  | broken\n"))
    #expect(report.contains("\n  orchestrate logs \(bad.runId) a --root \(dir)\n"))
    #expect(try root.onlyRecord("good").trigger == .scheduled)
    #expect(root.read("path") == "/usr/bin:/bin\n")
    #expect(root.read("cwd") == NSHomeDirectory() + "\n")
  }

  /// Under cron, a pipeline whose program is only on the user's PATH is
  /// refused: recorded, and told once; fixed, its next run recovers; and a
  /// scheduled pipeline that never ran is missed and told by
  /// `status --notify`, all in one cron job.
  @Test func underCronARefusalAndANeverRunPipelineReachAPerson() throws {
    try Self.ensureCronIsRunning()
    let root = TestRoot()
    let server = try RecordingHTTPServer(in: root)
    let tool = root.write("bin/ingest-tool", "#!/bin/sh\nexit 0\n")
    chmod(tool, 0o755)
    let notify = "notify:\n  - webhook: {url_env: HOOK}\n"
    root.write("pipelines/nightly.yaml", notify + "tasks: [{name: a, argv: [ingest-tool]}]\n")
    root.write(
      "fixed.yaml",
      "env: {PATH: \"\(root.path)/bin:/usr/bin:/bin\"}\n" + notify
        + "tasks: [{name: a, argv: [ingest-tool]}]\n")
    let fresh = root.write(
      "pipelines/fresh.yaml",
      "schedule: \"*/5 * * * *\"\n" + notify + "tasks: [{name: a, run: 'true'}]\n")
    var old = [
      timeval(tv_sec: time(nil) - 2 * 86400, tv_usec: 0),
      timeval(tv_sec: time(nil) - 2 * 86400, tv_usec: 0),
    ]
    utimes(fresh, &old)
    let binary = Orchestrate.binary
    let dir = root.path
    // A script: cron cuts a command line at 1000 characters.
    let script = root.write(
      "job.sh",
      """
      export HOOK=\(server.url)/hook
      \(binary) \(dir)/pipelines/nightly.yaml >\(dir)/refused.out 2>&1; echo $? >\(dir)/refused.rc
      cp \(dir)/fixed.yaml \(dir)/pipelines/nightly.yaml
      \(binary) \(dir)/pipelines/nightly.yaml >\(dir)/good.out 2>&1; echo $? >\(dir)/good.rc
      \(binary) status --notify --quiet --root \(dir) >\(dir)/notify.out 2>&1
      touch \(dir)/done

      """)
    let job = "/bin/sh \(script)"
    try Self.runOnceUnderCron(job, root: root)

    #expect(root.read("refused.rc") == "2\n", "\(root.read("refused.out") ?? "")")
    #expect(root.read("good.rc") == "0\n", "\(root.read("good.out") ?? "")")
    let records = try root.records("nightly")
    #expect(records.map(\.status) == [.refused, .completed])
    #expect(
      records.first?.reason?.contains("program 'ingest-tool' is not on the task's PATH") == true)
    let told = server.requests().compactMap { $0.json }
    let events = told.map { "\($0["pipeline"] as? String ?? "") \($0["event"] as? String ?? "")" }
    #expect(events == ["nightly failure", "nightly recovery", "fresh missed"], "\(events)")
  }

  /// Runs `job` once from /etc/cron.d as root, at the next minute's tick,
  /// and waits for it to touch `done` in the root. Every minute, but only
  /// once: mkdir is atomic, should cron start it twice in one tick.
  static func runOnceUnderCron(_ job: String, root: TestRoot) throws {
    let entry = "/etc/cron.d/\(root.marker)"
    let once = "mkdir \(root.path)/started 2>/dev/null && \(job)"
    try "* * * * * root \(once)\n".write(toFile: entry, atomically: false, encoding: .utf8)
    chmod(entry, 0o644)
    defer { unlink(entry) }
    try root.waitFor("done", timeout: 150)
  }

  /// The line `schedule --install crontab` writes runs, under
  /// cron, in the environment and with the parameters of the file's
  /// `schedule:`, not in its default_environment.
  @Test func cronRunsTheInstalledLineInTheScheduledEnvironment() throws {
    try Self.ensureCronIsRunning()
    let user = try TestUser()
    defer { user.remove() }
    let uid = try #require(user.uid)
    let root = TestRoot()
    root.write(
      "pipelines/minutely.yaml",
      """
      schedule: {cron: '* * * * *', environment: prod, params: {region: eu}}
      params: {region: {type: string, default: us}}
      environments: {dev: {}, prod: {}}
      default_environment: dev
      tasks: [{name: a, run: 'echo "$ENVIRONMENT $REGION" > seen'}]
      """)
    // The user runs the pipeline and owns its root (so the install, made by
    // root, leaves metrics/ to the user's first run); cron starts in HOME,
    // which this user has not got.
    for path in ["", "/pipelines", "/pipelines/minutely.yaml"] {
      chown(root.path + path, uid, gid_t(65534))
    }
    try user.setCrontab("HOME=\(root.path)\n")
    let installed = try Orchestrate.run(
      ["schedule", "--root", root.path, "--install", "crontab", "--crontab-user", user.name])
    #expect(installed.exitCode == 0, "\(installed.stderr)")
    #expect(!root.exists("metrics"))
    defer {
      _ = try? Orchestrate.run(
        ["schedule", "--root", root.path, "--uninstall", "crontab", "--crontab-user", user.name])
    }
    try root.waitFor("seen", timeout: 150)
    try Orchestrate.run(
      ["schedule", "--root", root.path, "--uninstall", "crontab", "--crontab-user", user.name])
    #expect(root.read("seen") == "prod eu\n")
    try waitUntil { (try? root.records("minutely"))?.isEmpty == false }
    let record = try #require(try root.records("minutely").first)
    #expect(record.environment == "prod")
    #expect(record.params?["region"] == "eu")
    #expect(record.trigger == .scheduled)
  }

  /// Starts Debian's cron when no cron daemon runs (it detaches itself and
  /// writes its pid file once it is up).
  static func ensureCronIsRunning() throws {
    if let pid = cronPid(), kill(pid, 0) == 0 { return }
    // The daemon must not keep any descriptor of this process open (the
    // one through which `Process` notices its child's end, above all).
    let start = try Orchestrate.run(
      [
        "-c",
        "for fd in $(ls /proc/$$/fd); do [ \"$fd\" -gt 2 ] && eval \"exec $fd>&-\"; done; exec /usr/sbin/cron",
      ], timeout: 30, binary: "/bin/bash")
    try #require(start.exitCode == 0, "cron did not start: \(start.stderr)")
    try waitUntil { cronPid().map { kill($0, 0) == 0 } ?? false }
  }

  static func cronPid() -> pid_t? {
    (try? String(contentsOfFile: "/var/run/crond.pid", encoding: .utf8))
      .flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
  }
}
