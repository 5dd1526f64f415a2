import Foundation
import OrchestrateKit
import Testing

/// Cron mails whatever a job prints: a run that went well prints nothing,
/// one that did not prints a report worth reading.
@Suite(.serialized) struct QuietOutputTests {
  static let clean = "tasks: [{name: a, run: 'echo hi'}, {name: b, run: 'echo to stderr >&2'}]"

  @Test func aCleanRunPrintsNothingIntoFilesOrPipes() throws {
    let root = TestRoot()
    let file = root.write("pipelines/p.yaml", Self.clean)
    let result = try Orchestrate.run([file])
    #expect(result.exitCode == 0)
    #expect(result.stdout.isEmpty && result.stderr.isEmpty, "\(result.stdout)\(result.stderr)")
    // Through pipes, as cron and systemd read a job: still not one byte.
    let piped = try Orchestrate.run(
      [
        "-c", "set -o pipefail; \"$0\" \"$1\" 2>&1 | wc -c", Orchestrate.binary, file,
      ], binary: "/bin/bash")
    #expect(piped.exitCode == 0, "\(piped.stderr)")
    #expect(piped.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    // The event lines are all in the run's own log.
    let record = try #require(try root.records("p").last)
    let events = try #require(root.read("logs/p/\(record.runId)/orchestrate.log"))
    #expect(events.contains("a completed in "))
    #expect(events.contains("run \(record.runId) completed: 2 of 2 task(s) completed"))
  }

  @Test func aFailedRunPrintsAReportForTheMail() throws {
    let root = TestRoot()
    // Five failing tasks of 30 lines each: 10 lines each, 40 in all.
    let noisy = (1...5).map {
      "{name: t\($0), run: 'for i in $(seq 1 30); do echo t\($0) line $i; done; exit \($0)'}"
    }
    let file = root.write(
      "pipelines/p.yaml",
      """
      tasks: [{name: fine, run: 'true'}, \(noisy.joined(separator: ", ")),
        {name: 'after', depends_on: [t1], run: 'true'},
        {name: 'killed', run: 'kill -9 $$'}]
      """)
    let result = try Orchestrate.run([file])
    #expect(result.exitCode == 1)
    #expect(result.stderr.isEmpty, "\(result.stderr)")
    let record = try root.onlyRecord("p")
    let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(
      String.init)
    let duration = DurationDisplay.summary(try #require(record.durationSeconds))
    #expect(lines.first == "p \(record.runId) partial in \(duration) (exit 1)")
    #expect(lines.contains("  failed    t3      exit 3"), "\(result.stdout)")
    #expect(lines.contains("  skipped   after   dependency t1 failed"), "\(result.stdout)")
    #expect(lines.contains("  failed    killed  killed by SIGKILL"), "\(result.stdout)")
    #expect(!lines.contains { $0.contains("fine") }, "completed tasks are not listed")
    // The last 10 lines of each failed task, 40 in all: t5 gets none.
    #expect(lines.contains("t1, last 10 line(s) of output:"))
    #expect(lines.contains("  | t1 line 30") && lines.contains("  | t1 line 21"))
    #expect(!lines.contains("  | t1 line 20"))
    #expect(lines.filter { $0.hasPrefix("  | ") }.count == 40)
    #expect(!lines.contains { $0.hasPrefix("t5, last") })
    // The commands it names work from anywhere, as printed.
    let command = try #require(
      lines.first { $0.hasPrefix("  orchestrate logs \(record.runId) t2 ") })
    #expect(command == "  orchestrate logs \(record.runId) t2 --root \(root.path)")
    let arguments = command.split(separator: " ").dropFirst().map(String.init)
    let log = try Orchestrate.run(arguments)
    #expect(log.exitCode == 0, "\(log.stderr)")
    #expect(log.stdout.contains("t2 line 30"))
    #expect(lines.contains("  metrics: \(root.path)/metrics/p/\(record.runId).json"))
  }

  @Test func verboseAddsTheEventLinesAndQuietPrintsNothing() throws {
    let root = TestRoot()
    let file = root.write("pipelines/p.yaml", Self.clean)
    let verbose = try Orchestrate.run([file, "-v"])
    #expect(verbose.exitCode == 0)
    let record = try root.onlyRecord("p")
    let events = try #require(root.read("logs/p/\(record.runId)/orchestrate.log"))
    #expect(verbose.stderr == events, "every event line, as in orchestrate.log")
    #expect(verbose.stdout.hasPrefix("p completed in "))
    #expect(verbose.stdout.contains("metrics: \(root.path)/metrics/p/\(record.runId).json"))

    let failing = root.write("pipelines/f.yaml", "tasks: [{name: a, run: 'exit 4'}]")
    let quiet = try Orchestrate.run([failing, "--quiet"])
    #expect(quiet.exitCode == 1)
    #expect(quiet.stdout.isEmpty && quiet.stderr.isEmpty)
    let failed = try root.onlyRecord("f")
    #expect(
      root.read("logs/f/\(failed.runId)/orchestrate.log")?.contains("a failed: exit 4") == true)
    let broken = root.write("pipelines/broken.yaml", "tasks: [{name: a}]")
    let quietError = try Orchestrate.run([broken, "-q"])
    #expect(quietError.exitCode == 2)
    #expect(quietError.stdout.isEmpty && quietError.stderr.isEmpty)
    let both = try Orchestrate.run([file, "-q", "-v"])
    #expect(both.exitCode == 2 && both.stderr.contains("--verbose and --quiet"))
  }

  @Test func anEarlierRunFoundAbandonedIsReported() throws {
    let root = TestRoot()
    let file = root.write("pipelines/p.yaml", Self.clean)
    #expect(try Orchestrate.run([file]).exitCode == 0)
    // A record left `running` by an orchestrator that is long gone.
    var record = try root.onlyRecord("p")
    let dead = "run_20200101_000000_1"
    record.runId = dead
    record.status = .running
    record.pid = 999_999
    record.processStartTicks = 1
    record.startedAt = Date(timeIntervalSince1970: 1_577_836_800)
    let data = try RecordCoding.encoder().encode(record)
    try data.write(to: URL(fileURLWithPath: "\(root.path)/metrics/p/\(dead).json"))
    let next = try Orchestrate.run([file])
    #expect(next.exitCode == 0)
    #expect(next.stdout.contains("\nsettled \(dead) as abandoned: "), "\(next.stdout)")
  }

  /// The live view draws only where escape sequences are welcome, and then
  /// in synchronized updates.
  @Test(arguments: [
    ("xterm-256color", nil, true), ("dumb", nil, false), ("xterm-256color", "1", false),
  ])
  func liveViewOnlyOnCapableTerminals(term: String, noColor: String?, drawn: Bool) throws {
    let root = TestRoot()
    // The task ends once the orchestrator has read its progress, which it
    // does on the same tick that draws the live lines.
    let file = root.write(
      "p.yaml",
      """
      tasks:
        - name: work
          run: |
            echo '{"done": 1, "total": 2, "message": "halfway"}' >> "$ORCHESTRATE_PROGRESS"
            while ! grep -q halfway "$ORCHESTRATE_ROOT"/metrics/p/*.json; do sleep 0.05; done
        - name: broken
          run: exit 2
      """)
    var environment = Orchestrate.cronEnvironment(["TERM": term])
    environment["NO_COLOR"] = noColor
    let result = try Orchestrate.run(
      ["-qec", "\(Orchestrate.binary) \(file) --root \(root.path)", "/dev/null"],
      environment: environment, binary: "/usr/bin/script")
    #expect(result.exitCode == 1)
    #expect(result.stdout.contains("work started"), "event lines on a terminal")
    #expect(result.stdout.contains("1 of 2 tasks completed, 1 failed"), "the summary")
    #expect(result.stdout.contains("\u{1B}[?2026h") == drawn)
    #expect(result.stdout.contains("  work  ") == drawn, "\(result.stdout)")
    if !drawn { #expect(!result.stdout.contains("\u{1B}"), "no escape sequence at all") }
  }
}
