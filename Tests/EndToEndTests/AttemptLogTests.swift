import Foundation
import OrchestrateKit
import Testing

/// A task's log holds exactly the bytes its program wrote, one file per
/// attempt; `logs` composes headers and outcomes from the record.
@Suite(.serialized) struct AttemptLogTests {
  @Test func theLogIsTheProgramsOwnBytes() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/p.yaml",
      """
      tasks:
        - {name: bytes, run: 'head -c 300000 /dev/urandom | tee expected.bin; printf "\\\\000no newline"'}
      """)
    #expect(try Orchestrate.run([file], directory: root.path).exitCode == 0)
    let record = try root.onlyRecord("p")
    let log = try Data(
      contentsOf: URL(fileURLWithPath: "\(root.path)/\(record.task("bytes")!.logFile)"))
    var expected = try Data(contentsOf: URL(fileURLWithPath: "\(root.path)/expected.bin"))
    expected.append(Data("\u{0}no newline".utf8))
    #expect(log == expected)
    #expect(record.task("bytes")?.attempts.first?.logFile == "logs/p/\(record.runId)/bytes.log")
  }

  @Test func logsPrintsEveryAttemptBetweenHeaderAndOutcome() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/p.yaml",
      """
      tasks:
        - name: flaky
          run: 'echo "try $ORCHESTRATE_ATTEMPT"; [ "$ORCHESTRATE_ATTEMPT" -ge 2 ] || exit 4'
          retries: 2
          retry_delay: 0.1s
      """)
    #expect(try Orchestrate.run([file], directory: root.path).exitCode == 0)
    let record = try root.onlyRecord("p")
    let attempts = try #require(record.task("flaky")?.attempts)
    let printed = try Orchestrate.run(["logs", record.runId, "flaky", "--root", root.path])
    #expect(printed.exitCode == 0, "\(printed.stderr)")
    let lines = printed.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 7, "\(printed.stdout)")
    #expect(
      lines[0]
        == "=== flaky: attempt 1, started \(Timestamp.format(attempts[0].startedAt)), pid \(attempts[0].pid!) ==="
    )
    #expect(lines[1] == "try 1")
    #expect(lines[2].hasPrefix("=== flaky: attempt 1 exit 4 after "))
    #expect(lines[3].hasPrefix("=== flaky: attempt 2, started "))
    #expect(lines[4] == "try 2")
    #expect(lines[5].hasPrefix("=== flaky: attempt 2 exit 0 after "))

    let second = try Orchestrate.run(
      ["logs", "--last", "p", "flaky", "--attempt", "2", "--root", root.path])
    #expect(second.stdout == "try 2\n")
    let missing = try Orchestrate.run(
      ["logs", record.runId, "flaky", "--attempt", "3", "--root", root.path])
    #expect(missing.exitCode == 2)
    #expect(missing.stderr.contains("no log 'flaky attempt 3'"), "\(missing.stderr)")

    let listing = try Orchestrate.run(["logs", record.runId, "--root", root.path])
    #expect(listing.stdout.hasPrefix("\(record.runId) (logs/p/\(record.runId))  completed\n"))
    #expect(
      listing.stdout.contains(#/\n  flaky +completed +2 attempts +12 B\n/#), "\(listing.stdout)")
    #expect(!listing.stdout.contains("journal"))
    let everything = try Orchestrate.run(["logs", record.runId, "--all", "--root", root.path])
    #expect(everything.stdout.contains("orchestrate.journal"))
    #expect(everything.stdout.contains("flaky.attempt-2.log"))
  }

  @Test func followPrintsARunningTaskUntilItEnds() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/p.yaml",
      """
      tasks:
        - name: slow
          run: 'echo first; touch started; while [ ! -e release ]; do sleep 0.05; done; echo last # \(root.marker)'
      """)
    let run = try Orchestrate.start([file], directory: root.path)
    try root.waitFor("started")
    let follower = try Orchestrate.start(["logs", "-f", "--last", "p", "slow", "--root", root.path])
    usleep(300_000)
    #expect(follower.process.isRunning, "follow returned while the task runs")
    root.write("release", "")
    let followed = follower.wait(timeout: 30)
    #expect(run.wait().exitCode == 0)
    #expect(followed.exitCode == 0, "\(followed.stderr)")
    let lines = followed.stdout.split(separator: "\n")
    #expect(lines.count == 4, "\(followed.stdout)")
    #expect(lines.first?.hasPrefix("=== slow: attempt 1, started ") == true)
    #expect(Array(lines.dropFirst().dropLast()) == ["first", "last"])
    #expect(lines.last?.hasPrefix("=== slow: attempt 1 exit 0 after ") == true)
  }
}
