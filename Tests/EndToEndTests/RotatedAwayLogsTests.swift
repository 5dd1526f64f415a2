import Foundation
import OrchestrateKit
import Testing

/// `orchestrate logs RUN` of a run that status and the report still show
/// (its record is kept) but whose logs rotation deleted.
@Suite struct RotatedAwayLogsTests {
  /// An earlier run of `nightly` that started `days` ago: its record, and
  /// logs for rotation to delete.
  func earlierRun(_ root: TestRoot, daysAgo days: Double) throws -> String {
    let template = try #require(try root.records("nightly").last)
    let run = try root.writeRecord(from: template, daysAgo: days, status: .completed, pid: 77)
    root.makeRunLogs("nightly", run)
    return run
  }

  @Test func saysWhichRunsRotationDeletedTheLogsAndWhen() throws {
    let root = TestRoot()
    root.write("pipelines/nightly.yaml", "tasks: [{name: a, run: 'true'}]")
    try Orchestrate.run(["nightly", "--root", root.path])
    let old = try earlierRun(root, daysAgo: 40)
    // The next run rotates when it ends, past the default delete_after of 30d.
    try Orchestrate.run(["nightly", "--root", root.path])
    #expect(!root.exists("logs/nightly/\(old)"))
    let rotating = try #require(try root.records("nightly").last?.runId)
    let line = try #require(
      root.read("logs/nightly/\(rotating)/orchestrate.log")?.split(separator: "\n")
        .first { $0.contains("logs: deleted \(old)/") })

    let told = try Orchestrate.run(["logs", old, "--root", root.path])
    #expect(told.exitCode == 2)
    #expect(
      told.stderr
        == "orchestrate: the logs of run '\(old)' were deleted by rotation at "
        + "\(line.prefix { $0 != " " }), at the end of run '\(rotating)'; "
        + "its record is still in metrics/nightly/\n")
  }

  @Test func withoutTheRotationsLineTheDueTimeIsTold() throws {
    let root = TestRoot()
    root.write("pipelines/nightly.yaml", "tasks: [{name: a, run: 'true'}]")
    try Orchestrate.run(["nightly", "--root", root.path])
    let old = try earlierRun(root, daysAgo: 40)
    // `rotate` leaves no line in any run's log.
    #expect(try Orchestrate.run(["rotate", "--root", root.path]).exitCode == 0)
    #expect(!root.exists("logs/nightly/\(old)"))
    let due = try #require(RunID(old)).startedAt.addingTimeInterval(30 * 86400)
    let told = try Orchestrate.run(["logs", old, "--root", root.path])
    #expect(told.exitCode == 2)
    #expect(
      told.stderr
        == "orchestrate: the logs of run '\(old)' were deleted by rotation after "
        + "\(Timestamp.format(due)), once older than 30d (logs.delete_after); "
        + "its record is still in metrics/nightly/\n")
  }

  @Test func logsGoneBeforeTheirTimeAreNotBlamedOnRotation() throws {
    let root = TestRoot()
    root.write("pipelines/nightly.yaml", "tasks: [{name: a, run: 'true'}]")
    try Orchestrate.run(["nightly", "--root", root.path])
    let recent = try earlierRun(root, daysAgo: 2)
    try FileManager.default.removeItem(atPath: "\(root.path)/logs/nightly/\(recent)")
    let told = try Orchestrate.run(["logs", recent, "--root", root.path])
    #expect(told.exitCode == 2)
    #expect(
      told.stderr.hasPrefix(
        "orchestrate: the logs of run '\(recent)' are gone from logs/nightly/, but not by "
          + "rotation: pipeline 'nightly' keeps them until "), "\(told.stderr)")
    // A run no record names is still unknown.
    let unknown = try Orchestrate.run(["logs", "run_20000101_000000_1", "--root", root.path])
    #expect(unknown.stderr.hasPrefix("orchestrate: no run 'run_20000101_000000_1' in "))
  }
}
