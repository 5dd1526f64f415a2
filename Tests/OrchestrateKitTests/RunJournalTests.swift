import Foundation
import Testing

@testable import OrchestrateRecords
@testable import OrchestrateStatus

@Suite struct RunJournalTests {
  let at = Date(timeIntervalSince1970: 1_796_000_000.123)
  let usage = ResourceUsage(peakRSSBytes: 4096, userSeconds: 0.25, systemSeconds: 0.125)

  @Test func everyEntryReadsBackAsWritten() {
    let entries: [JournalEntry] = [
      .started(
        task: "extract[geo]", attempt: 2, pid: 4121, startTicks: 99, at: at,
        killGrace: .seconds(30)),
      .started(
        task: "a", attempt: 1, pid: 7, startTicks: nil, at: at, killGrace: .milliseconds(500)),
      .exited(
        task: "a", attempt: 1, at: at, durationSeconds: 1.5, status: .exited(3), timedOut: true,
        usage: usage),
      .exited(
        task: "a", attempt: 2, at: at, durationSeconds: 0, status: .signaled(9), timedOut: false,
        usage: usage),
      .finished(task: "a", status: .timedOut, at: at, reason: "timed out\tafter\n2 attempts \\"),
      .finished(task: "b", status: .completed, at: at, reason: nil),
      .leftovers(task: "a", group: 4121, count: 3, at: at, killGrace: .seconds(10)),
      .recordLost(status: .partial, exitCode: 1, at: at, reason: "No space left on device"),
      .submitted(
        task: "transform[geo]", attempt: 2, jobId: "4242", jobName: "orchestrate:p:run_x:t",
        at: at),
      .paused(at: at, stopped: 3),
      .resumed(at: at, seconds: 12.5),
    ]
    for entry in entries {
      let line = entry.line
      #expect(line.hasSuffix("\n"))
      #expect(line.dropLast().split(separator: "\n").count == 1, "one line: \(line)")
      #expect(JournalEntry(line: line.dropLast()) == entry, "\(line)")
    }
  }

  @Test func aLineCutShortByADyingWriterIsLeftOut() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "journal-\(UUID().uuidString)"
    ).path
    defer { unlink(path) }
    let whole = JournalEntry.finished(task: "a", status: .completed, at: at, reason: nil).line
    let torn = JournalEntry.started(
      task: "b", attempt: 1, pid: 12345, startTicks: 5, at: at, killGrace: .seconds(10)
    ).line.dropLast(3)
    try (whole + "garbage line\n" + torn).write(toFile: path, atomically: true, encoding: .utf8)
    #expect(
      RunJournal.read(path: path) == [.finished(task: "a", status: .completed, at: at, reason: nil)]
    )
  }

  /// A dead run's record is settled with the totals of what its instances
  /// had reported when the record was last written.
  @Test func aSettledRecordHasItsCountersTotals() {
    var record = Self.record(tasks: ["x[s1]", "x[s2]"])
    for (index, source) in ["s1", "s2"].enumerated() {
      record.tasks[index].task = "x"
      record.tasks[index].source = source
      record.tasks[index].metrics = ["rows": Double(index + 3)]
    }
    let settled = RunSettlement.settle(record, journal: [], killedProcesses: 0)
    #expect(
      settled.totals == ["x": ["rows": CounterTotal(total: 7, bySource: ["s1": 3, "s2": 4])]])
  }

  @Test func settlementKeepsWhatTheJournalSawEnd() {
    // The last record was written before anything started.
    let record = Self.record(tasks: ["a", "b", "c", "d", "e"])
    let journal: [JournalEntry] = [
      .started(task: "a", attempt: 1, pid: 10, startTicks: 1, at: at, killGrace: .seconds(10)),
      .started(task: "b", attempt: 1, pid: 11, startTicks: 1, at: at, killGrace: .seconds(10)),
      .exited(
        task: "a", attempt: 1, at: at + 2, durationSeconds: 2, status: .exited(0),
        timedOut: false, usage: usage),
      .finished(task: "a", status: .completed, at: at + 2, reason: nil),
      .exited(
        task: "b", attempt: 1, at: at + 3, durationSeconds: 3, status: .exited(1),
        timedOut: false, usage: usage),
      .started(task: "c", attempt: 1, pid: 12, startTicks: 1, at: at + 3, killGrace: .seconds(10)),
      .started(task: "d", attempt: 1, pid: 13, startTicks: 1, at: at + 3, killGrace: .seconds(10)),
      .exited(
        task: "d", attempt: 1, at: at + 4, durationSeconds: 1, status: .signaled(9),
        timedOut: false, usage: usage),
      .finished(task: "d", status: .failed, at: at + 4, reason: "killed by SIGKILL"),
    ]
    let settled = RunSettlement.settle(record, journal: journal, killedProcesses: 2)
    #expect(settled.status == .abandoned)
    #expect(settled.reason?.contains("died before the run finished; killed 2 process(es)") == true)
    #expect(settled.finishedAt == at + 4)
    let a = settled.tasks[0]
    #expect(a.status == .completed)
    #expect(a.attempts.count == 1 && a.attempts[0].exitCode == 0 && a.attempts[0].pid == 10)
    #expect(a.durationSeconds == 2)
    #expect(a.cpuUserSeconds == 0.25)
    // b failed and would have been retried.
    #expect(settled.tasks[1].status == .failed)
    #expect(settled.tasks[1].exitCode == 1)
    #expect(settled.tasks[1].reason == "retry not started: orchestrator died")
    // c was running when the orchestrator died.
    #expect(settled.tasks[2].status == .failed)
    #expect(settled.tasks[2].reason == RunSettlement.diedWhileRunning)
    #expect(settled.tasks[2].attempts.first?.error == RunSettlement.diedWhileRunning)
    #expect(settled.tasks[3].status == .failed && settled.tasks[3].signal == 9)
    #expect(settled.tasks[4].status == .skipped)
    #expect(
      settled.counts.completed == 1 && settled.counts.failed == 3 && settled.counts.skipped == 1)
  }

  @Test func aDeadRunsLastSamplesBecomeItsStorageBytes() {
    var record = Self.record(tasks: ["a"])
    var attempt = AttemptRecord(number: 1, startedAt: at)
    attempt.pid = 10
    attempt.liveResources = LiveResources(
      sampledAt: at + 5, processes: 2, rssBytes: 1 << 20, cpuPercent: 100, cpuSeconds: 5,
      readBytes: 4096, writeBytes: 1 << 20)
    record.tasks[0].attempts = [attempt]
    record.tasks[0].status = .running
    let journal: [JournalEntry] = [
      .started(task: "a", attempt: 1, pid: 10, startTicks: 1, at: at, killGrace: .seconds(10))
    ]
    let settled = RunSettlement.settle(record, journal: journal)
    let a = settled.tasks[0]
    #expect(a.status == .failed)
    #expect(a.attempts[0].liveResources == nil, "a final record keeps no sample")
    #expect(a.attempts[0].readBytes == 4096 && a.attempts[0].writeBytes == 1 << 20)
    #expect(a.readBytes == 4096 && a.writeBytes == 1 << 20)
  }

  @Test func settlementDoesNotCountWhatTheRecordAlreadyHeldTwice() {
    var record = Self.record(tasks: ["a"])
    let journal = aRanAndCompleted
    record = RunSettlement.settle(record, journal: journal)
    record.status = .running
    let again = RunSettlement.settle(record, journal: journal)
    #expect(again.tasks == record.tasks)
    #expect(again.tasks[0].cpuUserSeconds == 0.25)
  }

  @Test func aRunWhoseFinalRecordWasLostSettlesAsFailedNotAbandoned() {
    let record = Self.record(tasks: ["a"])
    let journal =
      aRanAndCompleted + [
        .recordLost(
          status: .completed, exitCode: 0, at: at + 1, reason: "write: No space left on device")
      ]
    let settled = RunSettlement.settle(record, journal: journal)
    #expect(settled.status == .failed)
    #expect(settled.exitCode == 0)
    #expect(
      settled.reason
        == "final record could not be written (write: No space left on device); the run ended completed"
    )
    #expect(settled.tasks[0].status == .completed)
  }

  @Test func aRunThatDiedPausedIsSettledWithItsPausesAndSaysSo() {
    var record = Self.record(tasks: ["a"])
    record.pausedSince = at + 5
    let journal: [JournalEntry] = [
      .started(task: "a", attempt: 1, pid: 7, startTicks: 1, at: at, killGrace: .seconds(1)),
      .paused(at: at + 1, stopped: 1), .resumed(at: at + 3, seconds: 2),
      .paused(at: at + 5, stopped: 1),
    ]
    let settled = RunSettlement.settle(record, journal: journal, killedProcesses: 1)
    #expect(settled.status == .abandoned)
    #expect(settled.pausedSince == nil)
    #expect(settled.pausedSeconds == 2)
    #expect(settled.reason?.contains("; it was paused since 20") == true, "\(settled.reason ?? "")")
    #expect(settled.reason?.hasSuffix("; killed 1 process(es) it left running") == true)
    #expect(settled.tasks[0].status == .failed)
  }

  @Test func leftoverCountsThatOverflowSaturateInsteadOfTrapping() {
    let record = Self.record(tasks: ["a"])
    let journal: [JournalEntry] = [
      .leftovers(task: "a", group: 7, count: Int.max, at: at, killGrace: .seconds(10)),
      .leftovers(task: "a", group: 7, count: 1, at: at + 1, killGrace: .seconds(10)),
    ]
    let settled = RunSettlement.settle(record, journal: journal)
    #expect(settled.tasks[0].leftoverProcesses == Int.max)
  }

  /// Task `a` started, exited 0 a second later and completed.
  var aRanAndCompleted: [JournalEntry] {
    [
      .started(task: "a", attempt: 1, pid: 10, startTicks: 1, at: at, killGrace: .seconds(10)),
      .exited(
        task: "a", attempt: 1, at: at + 1, durationSeconds: 1, status: .exited(0),
        timedOut: false, usage: usage),
      .finished(task: "a", status: .completed, at: at + 1, reason: nil),
    ]
  }

  static func record(tasks: [String]) -> RunRecord {
    let start = Date(timeIntervalSince1970: 1_796_000_000)
    return RunRecord(
      schemaVersion: 1, runId: "run_20261130_000000_1", pipeline: "p", pipelineFile: "/p.yaml",
      pipelineSha256: "", status: .running, startedAt: start, updatedAt: start, host: "h",
      pid: 1, user: "u", trigger: .scheduled, sourceFilter: [], orchestrateVersion: "0",
      maxParallel: 1, counts: TaskCounts(),
      tasks: tasks.map {
        TaskRecord(name: $0, task: $0, source: nil, dependsOn: [], logFile: "logs/p/r/\($0).log")
      })
  }
}
