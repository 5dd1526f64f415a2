import Foundation
import TestSupport
import Testing

@testable import OrchestrateExecution
@testable import OrchestrateStatus

@Suite struct LogRotatorTests {
  @Test func whatIsDueFollowsThePolicyAndTheRunsAge() {
    let policy = LogPolicy.standard
    func due(days: Double, directory: Bool = true, archive: Bool = false) -> LogRotator.Due {
      let run = StoredRunLogs(
        pipeline: "p", name: "r", directory: directory ? "/d" : nil, archive: archive ? "/a" : nil,
        startedAt: Date().addingTimeInterval(-days * 86400))
      return LogRotator.due(run, policy: policy, now: Date())
    }
    #expect(due(days: 1) == .nothing)
    #expect(due(days: 8) == .compress)
    #expect(due(days: 8, directory: false, archive: true) == .nothing)
    #expect(due(days: 1, archive: true) == .settle)
    #expect(due(days: 31) == .delete)
    #expect(due(days: 31, directory: false, archive: true) == .delete)
    let keep = LogPolicy(compressAfter: nil, deleteAfter: nil, compression: .gzip)
    let ancient = StoredRunLogs(
      pipeline: "p", name: "r", directory: "/d", archive: nil, startedAt: .distantPast)
    #expect(LogRotator.due(ancient, policy: keep, now: Date()) == .nothing)
  }

  @Test func agesComeFromTheRunIdAndOtherNamesAreLeftAlone() throws {
    let fixture = LogFixture()
    let fresh = RunID.daysAgo(2)
    let old = RunID.daysAgo(10)
    let expired = RunID.daysAgo(40)
    let expiredArchived = RunID.daysAgo(45)
    for run in [fresh, old, expired, expiredArchived] { fixture.makeRun(run) }
    try RunArchiver.archive(
      directory: "\(fixture.logsDirectory)/\(expiredArchived)", compression: .gzip)
    fixture.age(fixture.makeRun("copied-by-hand"), daysAgo: 90)
    fixture.age(fixture.makeRun(".hidden"), daysAgo: 90)
    FileManager.default.createFile(
      atPath: "\(fixture.logsDirectory)/.notes.tar.gz.tmp", contents: Data())
    // A fresh directory name that is an old run id is judged by the id.
    fixture.age("\(fixture.logsDirectory)/\(fresh)", daysAgo: 100)
    try fixture.writeRunningRecord(expired, pid: Int32.max - 1)

    let report = fixture.rotator().rotate()
    #expect(report.errors.isEmpty, "\(report.errors)")
    #expect(
      fixture.entries()
        == [".hidden", ".notes.tar.gz.tmp", "copied-by-hand", fresh, "\(old).tar.gz"].sorted())
    #expect(report.foreign == [".hidden/", ".notes.tar.gz.tmp", "copied-by-hand/"])
    // Metrics files are never touched without metrics.delete_after.
    #expect(
      FileManager.default.fileExists(
        atPath: fixture.layout.metricsFile(pipeline: "p", run: RunID(expired)!)))
    #expect(report.steps.map(\.run).sorted() == [old, expired, expiredArchived].sorted())
    // A second rotation has nothing left to do.
    #expect(fixture.rotator().rotate().steps.isEmpty)
  }

  @Test func recordsPastTheirTimeGoButNeverTheNewestSuccessOrAnUnsettledOne() {
    let now = Date()
    func run(_ days: Double, _ status: RunStatus, file: String? = nil) -> RunDigest {
      let id = RunID(startedAt: now.addingTimeInterval(-days * 86400), pid: Int32(days * 10)).text
      return RunDigest(
        file: file ?? "\(id).json", runId: id, status: status,
        startedAt: now.timeIntervalSince1970 - days * 86400, durationSeconds: 1, tasks: [])
    }
    let oldSuccess = run(60, .completed)
    let newestSuccess = run(40, .completed)
    let oldFailure = run(50, .failed)
    let unsettled = run(55, .running)
    let renamed = run(70, .failed, file: "copy.json")
    let current = run(35, .failed)
    let recent = run(3, .failed)
    let expired = MetricsRetention.expired(
      [newestSuccess, oldSuccess, oldFailure, unsettled, renamed, current, recent],
      deleteAfter: .seconds(30 * 86400), now: now, currentRun: current.runId)
    #expect(expired.map(\.runId) == [oldSuccess.runId, oldFailure.runId], "oldest first")
  }

  @Test func aDryRunChangesNothing() throws {
    let fixture = LogFixture()
    fixture.makeRun(RunID.daysAgo(10))
    fixture.makeRun(RunID.daysAgo(40))
    let before = fixture.entries()
    var rotator = fixture.rotator()
    rotator.dryRun = true
    let report = rotator.rotate()
    #expect(report.steps.count == 2)
    #expect(fixture.entries() == before)
    #expect(report.lines.allSatisfy { $0.hasPrefix("would ") }, "\(report.lines)")
  }

  @Test func theCurrentRunAndRunsInProgressAreLeftAlone() throws {
    let fixture = LogFixture()
    let current = RunID.daysAgo(40, pid: 1)
    let alive = RunID.daysAgo(10, pid: 2)
    let dead = RunID.daysAgo(10, pid: 3)
    for run in [current, alive, dead] { fixture.makeRun(run) }
    try fixture.writeRunningRecord(alive)
    try fixture.writeRunningRecord(dead, pid: Int32.max - 1)
    var rotator = fixture.rotator()
    rotator.currentRun = current
    let report = rotator.rotate()
    #expect(fixture.entries() == [current, alive, "\(dead).tar.gz"].sorted())
    let skipped = report.steps.first { $0.run == alive }
    #expect(skipped?.outcome == .skipped(reason: "in progress (pid \(getpid()))"))
    #expect(!report.steps.contains { $0.run == current })
  }

  @Test func afterACancelledRunOnlyDeletionIsDone() {
    let fixture = LogFixture()
    let old = RunID.daysAgo(10)
    let expired = RunID.daysAgo(40)
    fixture.makeRun(old)
    fixture.makeRun(expired)
    var rotator = fixture.rotator()
    rotator.compresses = false
    _ = rotator.rotate()
    #expect(fixture.entries() == [old])
  }

  @Test func leftoversOfAStoppedRotationAreFinished() throws {
    let fixture = LogFixture()
    // Killed while writing: a temporary file beside the whole directory.
    let writing = RunID.daysAgo(10, pid: 1)
    fixture.makeRun(writing)
    #expect(
      FileManager.default.createFile(
        atPath: "\(fixture.logsDirectory)/.\(writing).tar.gz.tmp", contents: Data("half".utf8)))
    // Killed while removing the directory: a whole archive and part of the directory.
    let removing = RunID.daysAgo(3, pid: 2)
    let removingDirectory = fixture.makeRun(removing)
    try FileManager.default.copyItem(
      atPath: removingDirectory, toPath: fixture.root + "/copy")
    try RunArchiver.archive(directory: removingDirectory, compression: .gzip)
    try FileManager.default.moveItem(atPath: fixture.root + "/copy", toPath: removingDirectory)
    try FileManager.default.removeItem(atPath: "\(removingDirectory)/orchestrate.log")
    // An archive that went bad beside its directory: written again.
    let damaged = RunID.daysAgo(3, pid: 3)
    fixture.makeRun(damaged)
    #expect(
      FileManager.default.createFile(
        atPath: "\(fixture.logsDirectory)/\(damaged).tar.gz", contents: Data("not gzip".utf8)))

    let report = fixture.rotator().rotate()
    #expect(report.errors.isEmpty, "\(report.errors)")
    #expect(
      fixture.entries()
        == ["\(writing).tar.gz", "\(removing).tar.gz", "\(damaged).tar.gz"].sorted())
    let outcomes = Dictionary(report.steps.map { ($0.run, $0.outcome) }) { a, _ in a }
    #expect(outcomes[".\(writing).tar.gz.tmp"] == .leftoverRemoved)
    #expect(outcomes[removing] == .directoryRemoved(archive: "\(removing).tar.gz"))
    guard case .archivedAgain = outcomes[damaged] else {
      Issue.record("expected the damaged archive to be written again: \(report.lines)")
      return
    }
    for run in [writing, removing, damaged] {
      let files = try LogArchiveReader.readableFiles(of: "\(fixture.logsDirectory)/\(run).tar.gz")
      #expect(files.count == LogFixture.sampleFiles.count)
    }
  }

  @Test func aProblemWithOneRunIsReportedAndTheOthersAreRotated() throws {
    let fixture = LogFixture()
    let broken = RunID.daysAgo(10, pid: 1)
    let fine = RunID.daysAgo(10, pid: 2)
    let differs = RunID.daysAgo(10, pid: 3)
    #expect(mkfifo("\(fixture.makeRun(broken))/pipe", 0o644) == 0)
    fixture.makeRun(fine)
    // Archive and directory disagree: neither is thrown away.
    let differsDirectory = fixture.makeRun(differs)
    try FileManager.default.copyItem(atPath: differsDirectory, toPath: fixture.root + "/copy")
    try RunArchiver.archive(directory: differsDirectory, compression: .gzip)
    try FileManager.default.moveItem(atPath: fixture.root + "/copy", toPath: differsDirectory)
    #expect(
      FileManager.default.createFile(
        atPath: "\(differsDirectory)/transform.log", contents: Data("more".utf8)))

    let report = fixture.rotator().rotate()
    #expect(report.errors.count == 2, "\(report.lines)")
    #expect(report.errors.contains { $0.hasPrefix("\(broken): cannot archive") })
    #expect(report.errors.contains { $0.hasPrefix("\(differs): both ") })
    #expect(
      fixture.entries() == [broken, "\(fine).tar.gz", differs, "\(differs).tar.gz"].sorted())
  }

  @Test func aStopRequestEndsTheRotationBetweenBlocks() {
    let fixture = LogFixture()
    let first = RunID.daysAgo(10, pid: 1)
    let second = RunID.daysAgo(10, pid: 2)
    fixture.makeRun(first)
    fixture.makeRun(second)
    var rotator = fixture.rotator()
    nonisolated(unsafe) var asked = 0
    rotator.shouldStop = {
      asked += 1
      return asked > 3
    }
    let report = rotator.rotate()
    #expect(report.stopped)
    #expect(fixture.entries() == [first, second])
  }

  @Test func policiesComeFromPipelineFilesByName() throws {
    let fixture = LogFixture()
    let directory = fixture.root + "/pipelines"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    func write(_ name: String, _ text: String) {
      #expect(
        FileManager.default.createFile(atPath: "\(directory)/\(name)", contents: Data(text.utf8)))
    }
    write("daily.yaml", "tasks: [{name: a, run: x}]\nlogs: {delete_after: never}")
    write("file-name.yaml", "name: renamed\ntasks: [{name: a, run: x}]\nlogs: {compression: zstd}")
    write("broken.yaml", "tasks: [{name: a, run: x}]\nlogs: {delete_after: soon}")
    let policies = PipelineLogPolicies(directory: directory)
    #expect(try policies.policy(of: "daily").policy.deleteAfter == nil)
    #expect(try policies.policy(of: "renamed").policy.compression == .zstd)
    #expect(try policies.policy(of: "unknown").file == nil)
    #expect(try policies.policy(of: "unknown").policy == .standard)
    // Deleting by the defaults what the broken file may say to keep would be wrong.
    #expect(throws: PipelineError.self) { try policies.policy(of: "broken") }
  }
}
