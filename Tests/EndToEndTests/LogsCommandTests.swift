import Foundation
import OrchestrateKit
import TestSupport
import Testing

/// `orchestrate logs`: the same bytes whether a run is a directory or an archive.
@Suite struct LogsCommandTests {
  @Test func printsPlainAndArchivedRunsByteForByte() throws {
    let root = TestRoot()
    let plain = RunID.daysAgo(1)
    let archived = RunID.daysAgo(10)
    root.makeRunLogs("p", plain)
    root.makeRunLogs("p", archived)
    let original = try #require(root.read("logs/p/\(archived)/extract[geo].log"))
    #expect(original.utf8.count > 3 * 65536)

    let before = try Orchestrate.run(["logs", archived, "extract[geo]", "--root", root.path])
    #expect(before.exitCode == 0, "\(before.stderr)")
    #expect(before.stdout == original)
    #expect(try Orchestrate.run(["rotate", "--root", root.path]).exitCode == 0)
    #expect(root.logEntries("p") == ["\(archived).tar.gz", plain].sorted())

    for name in ["extract[geo]", "extract[geo].log"] {
      let after = try Orchestrate.run(["logs", archived, name, "--root", root.path])
      #expect(after.exitCode == 0, "\(after.stderr)")
      #expect(after.stdout == original)
    }
    let listing = try Orchestrate.run(["logs", archived, "--root", root.path])
    #expect(listing.stdout.hasPrefix("\(archived) (logs/p/\(archived).tar.gz)\n"))
    #expect(
      listing.stdout.contains(#/\n  extract\[geo\]\.log +[0-9.]+ KiB\n/#), "\(listing.stdout)")
    #expect(listing.stdout.contains(#/\n  orchestrate\.log +[0-9.]+ B\n/#))

    let newest = try Orchestrate.run(
      ["logs", "--last", "p", "orchestrate"],
      environment: Orchestrate.cronEnvironment(["ORCHESTRATE_ROOT": root.path]))
    #expect(newest.stdout == root.read("logs/p/\(plain)/orchestrate.log"))
  }

  @Test func unknownRunsAndTasksExitTwoListingWhatExists() throws {
    let root = TestRoot()
    let runs = (1...7).map { RunID.daysAgo(Double($0), pid: Int32($0)) }
    for run in runs { root.makeRunLogs("p", run) }
    let unknownRun = try Orchestrate.run(["logs", "run_20000101_000000_1", "--root", root.path])
    #expect(unknownRun.exitCode == 2)
    #expect(
      unknownRun.stderr
        == "orchestrate: no run 'run_20000101_000000_1' in \(root.path)/logs (newest: "
        + runs.prefix(5).joined(separator: ", ") + ")\n")
    let unknownTask = try Orchestrate.run(["logs", runs[0], "load", "--root", root.path])
    #expect(unknownTask.exitCode == 2)
    #expect(
      unknownTask.stderr
        == "orchestrate: no log 'load' in \(runs[0]) (found: extract[geo], orchestrate)\n")
    let unknownPipeline = try Orchestrate.run(["logs", "--last", "q", "--root", root.path])
    #expect(unknownPipeline.exitCode == 2)
    #expect(unknownPipeline.stderr.contains("no logs of pipeline 'q'"))
    #expect(try Orchestrate.run(["logs", "--root", root.path]).exitCode == 2)
  }

  @Test func aDamagedArchiveIsReportedNotPrinted() throws {
    let root = TestRoot()
    let run = RunID.daysAgo(10)
    root.write("logs/p/\(run).tar.gz", "not an archive")
    let result = try Orchestrate.run(["logs", run, "orchestrate", "--root", root.path])
    #expect(result.exitCode == 1)
    #expect(result.stderr.hasPrefix("orchestrate: cannot read \(root.path)/logs/p/\(run).tar.gz"))
    #expect(result.stdout.isEmpty)
  }
}
