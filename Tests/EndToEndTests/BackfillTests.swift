import Foundation
import Testing

/// `orchestrate backfill`: its plans without running anything, and a line
/// as each date starts and ends while it runs.
@Suite struct BackfillTests {
  static let pipeline = """
    tasks:
      - {name: day, run: 'echo "$ORCHESTRATE_DATE" >> days'}
      - {name: after, depends_on: [day], run: 'true'}
    """

  @Test func dryRunPrintsEachDatesPlanAndRunsNothing() throws {
    let root = TestRoot()
    let file = root.write("pipelines/daily.yaml", Self.pipeline)
    let result = try Orchestrate.run(
      ["backfill", file, "--from", "2026-11-01", "--to", "2026-11-03", "--dry-run"])
    #expect(result.exitCode == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    #expect(
      lines.filter { $0.hasPrefix("  date ") }
        == ["2026-11-01", "2026-11-02", "2026-11-03"].map { "  date \($0)" })
    #expect(lines.filter { $0.hasPrefix("daily: 2 task(s)") }.count == 3, "\(result.stdout)")
    #expect(lines.filter { $0 == "  2  after  (after day)" }.count == 3, "\(result.stdout)")
    #expect(
      lines.last == "backfill: 3 run(s); dry run: nothing was started and nothing was written")
    #expect(!root.exists("days"))
    #expect(!root.exists("metrics/daily"))
  }

  @Test func eachDateSaysWhenItStartsAndHowItEnded() throws {
    let root = TestRoot()
    let file = root.write("pipelines/daily.yaml", Self.pipeline)
    let verbose = try Orchestrate.run(
      ["backfill", file, "--from", "2026-11-01", "--to", "2026-11-02", "-v"])
    #expect(verbose.exitCode == 0, "\(verbose.stderr)")
    let lines = verbose.stdout.split(separator: "\n").filter { $0.hasPrefix("2026-11-0") }
    #expect(lines.count == 4, "\(verbose.stdout)")
    #expect(lines[0] == "2026-11-01  started  (1 of 2)")
    #expect(lines[1].hasPrefix("2026-11-01  completed  exit 0  run_"))
    #expect(lines[2] == "2026-11-02  started  (2 of 2)")
    #expect(lines[3].hasPrefix("2026-11-02  completed  exit 0  run_"))
    // And each run's own events as it goes (its output, stdout and stderr, is backfill's stdout).
    #expect(verbose.stdout.contains(" day started (attempt 1 of 1, pid "), "\(verbose.stdout)")
    #expect(verbose.stdout.contains(" after completed in "), "\(verbose.stdout)")

    // On a terminal too (script(1) gives it one).
    let terminal = try Orchestrate.run(
      [
        "-qec",
        "\(Orchestrate.binary) backfill \(file) --from 2026-11-03 --to 2026-11-03",
        "/dev/null",
      ], binary: "/usr/bin/script")
    #expect(terminal.exitCode == 0, "\(terminal.stdout)")
    #expect(terminal.stdout.contains("2026-11-03  started  (1 of 1)\r\n"), "\(terminal.stdout)")
    #expect(terminal.stdout.contains("2026-11-03  completed  exit 0  run_"))

    // Cron's mail: how each date ended, nothing more.
    let quiet = try Orchestrate.run(
      ["backfill", file, "--from", "2026-11-04", "--to", "2026-11-04"])
    #expect(quiet.stdout.hasPrefix("2026-11-04  completed  exit 0  run_"), "\(quiet.stdout)")
    #expect(quiet.stdout.split(separator: "\n").count == 1)
    #expect(quiet.stderr.isEmpty)
    #expect(root.read("days") == "2026-11-01\n2026-11-02\n2026-11-03\n2026-11-04\n")
  }

  /// Each run's date comes from --from and --to.
  @Test func theHelpOffersNoDate() throws {
    let root = TestRoot()
    let file = root.write("pipelines/daily.yaml", Self.pipeline)
    let help = try Orchestrate.run(["backfill", "--help"])
    #expect(help.exitCode == 0)
    #expect(help.stdout.contains("--dry-run"))
    #expect(!help.stdout.contains("--date <date>"), "\(help.stdout)")
    let refused = try Orchestrate.run(
      ["backfill", file, "--date", "2026-11-01", "--from", "2026-11-01", "--to", "2026-11-02"])
    #expect(refused.exitCode == 2)
    #expect(refused.stderr.contains("--date does not apply; give --from and --to"))
    #expect(!root.exists("days"))
  }
}
