import Foundation
import Testing

/// `orchestrate logs RUN download` where `download` runs once per source:
/// every instance's attempts in the run's order, each under a header that
/// names the instance.
@Suite struct PerSourceTaskLogsTests {
  static let pipeline = """
    name: nightly
    sources: [geo, sra]
    tasks:
      - name: download
        for_each_source: true
        retries: 1
        run: |
          echo "{\\"done\\": 1, \\"total\\": 1}" >> "$ORCHESTRATE_PROGRESS"
          echo "out of $ORCHESTRATE_SOURCE, attempt $ORCHESTRATE_ATTEMPT"
          [ "$ORCHESTRATE_SOURCE" = geo ] || [ "$ORCHESTRATE_ATTEMPT" = 2 ]
      - {name: transform, depends_on: [download], run: 'echo transformed'}
    """

  func logs(_ root: TestRoot, _ arguments: String...) throws -> Invocation {
    try Orchestrate.run(["logs"] + arguments + ["--root", root.path])
  }

  @Test func aPerSourceTaskPrintsEveryInstanceInOrder() throws {
    let root = TestRoot()
    root.write("pipelines/nightly.yaml", Self.pipeline)
    #expect(try Orchestrate.run(["nightly", "--root", root.path]).exitCode == 0)
    let run = try root.onlyRecord("nightly").runId

    let all = try logs(root, run, "download")
    #expect(all.exitCode == 0, "\(all.stderr)")
    let geo = try logs(root, run, "download[geo]").stdout
    let sra = try logs(root, run, "download[sra]").stdout
    #expect(all.stdout == geo + sra)
    #expect(
      all.stdout.split(separator: "\n").filter { $0.hasPrefix("=== ") && $0.contains(", started ") }
        .map { String($0.prefix { $0 != "," }) } == [
          "=== download[geo]: attempt 1", "=== download[sra]: attempt 1",
          "=== download[sra]: attempt 2",
        ], "\(all.stdout)")
    #expect(all.stdout.contains("out of sra, attempt 2\n"))

    // Without its record, the instances are found from the run's files.
    try FileManager.default.removeItem(atPath: "\(root.path)/metrics/nightly/\(run).json")
    let stored = try logs(root, run, "download")
    #expect(stored.exitCode == 0, "\(stored.stderr)")
    #expect(stored.stdout.contains("out of geo, attempt 1\n"))
    #expect(stored.stdout.contains("out of sra, attempt 1\n"))
  }

  @Test func oneAttemptOrFollowingNeedsOneInstance() throws {
    let root = TestRoot()
    root.write("pipelines/nightly.yaml", Self.pipeline)
    try Orchestrate.run(["nightly", "--root", root.path])
    let run = try root.onlyRecord("nightly").runId
    for option in [["--attempt", "1"], ["--follow"]] {
      let refused = try Orchestrate.run(
        ["logs", run, "download"] + option + ["--root", root.path])
      #expect(refused.exitCode == 2)
      #expect(refused.stdout.isEmpty)
      #expect(
        refused.stderr
          == "orchestrate: 'download' has one log per source (download[geo], download[sra]): "
          + "name one of them for \(option[0])\n")
    }
    let one = try logs(root, run, "download[sra]", "--attempt", "2")
    #expect(one.stdout == "out of sra, attempt 2\n")
  }

  /// Not the run's progress files, journal and retries' logs.
  @Test func anUnknownTaskListsTheTaskLogs() throws {
    let root = TestRoot()
    root.write("pipelines/nightly.yaml", Self.pipeline)
    try Orchestrate.run(["nightly", "--root", root.path])
    let run = try root.onlyRecord("nightly").runId
    #expect(root.exists("logs/nightly/\(run)/download[geo].1.progress.jsonl"))
    let unknown = try logs(root, run, "dowload")
    #expect(unknown.exitCode == 2)
    #expect(
      unknown.stderr
        == "orchestrate: no log 'dowload' in \(run) "
        + "(found: download[geo], download[sra], orchestrate, transform)\n")
  }
}
