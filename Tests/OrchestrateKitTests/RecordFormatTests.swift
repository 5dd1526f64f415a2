import Foundation
import Testing

@testable import OrchestrateRecords
@testable import OrchestrateStatus

@Suite struct RecordFormatTests {
  @Test func timestampsAreUTCWithMilliseconds() {
    let date = Date(timeIntervalSince1970: 1_795_312_800.123)
    #expect(Timestamp.format(date) == "2026-11-22T02:00:00.123Z")
    #expect(Timestamp.parse("2026-11-22T02:00:00.123Z") == date)
  }

  @Test func timestampsParseOffsetsAndRejectGarbage() {
    #expect(
      Timestamp.parse("2026-11-22T03:00:00+01:00") == Timestamp.parse("2026-11-22T02:00:00Z"))
    for text in ["", "2026-11-22", "2026-13-01T00:00:00Z", "2026-11-22T02:00:00", "yesterday"] {
      #expect(Timestamp.parse(text) == nil)
    }
  }

  @Test func roundingToTheNextSecondCarries() {
    let date = Date(timeIntervalSince1970: 1_795_312_800.9996)
    #expect(Timestamp.format(date) == "2026-11-22T02:00:01.000Z")
  }

  @Test func runIdsAreUTCAndParseBack() throws {
    let run = RunID(startedAt: Date(timeIntervalSince1970: 1_795_312_800.7), pid: 4121)
    #expect(run.text == "run_20261122_020000_4121")
    let parsed = try #require(RunID("run_20261122_020000_4121"))
    #expect(parsed.startedAt == Date(timeIntervalSince1970: 1_795_312_800))
    #expect(parsed.pid == 4121)
    #expect(RunID("run_2026112_020000_1") == nil)
    #expect(RunID("daily") == nil)
    #expect(RunID("run_20261122_020000_x") == nil)
  }

  /// The cheap check the status index makes of every line agrees with the
  /// parser on the shape; and a record's run id must be its file's name.
  @Test func wellFormedRunIdsAreThoseThatCanBeFileNames() {
    for text in [
      "run_20261122_020000_4121", "run_20261122_020000_1", "run_19700101_000000_2147483647",
    ] {
      #expect(RunID.isWellFormed(text) && RunID(text) != nil, "\(text)")
    }
    for text in [
      "run_2026112_020000_1", "daily", "run_20261122_020000_x", "run_20261122_020000_",
      "../../../x/pwnrun", "run_20261122_020000_1/..", "run_20261122-020000_1",
      "Run_20261122_020000_1",
    ] {
      #expect(!RunID.isWellFormed(text), "\(text)")
    }
    #expect(
      RecordCoding.namesItsFile(
        runId: "run_20261122_020000_4121", file: "run_20261122_020000_4121.json"))
    #expect(
      !RecordCoding.namesItsFile(
        runId: "run_20261122_020000_4121", file: "run_20261122_020000_4122.json"))
    #expect(!RecordCoding.namesItsFile(runId: "../x", file: "run_20261122_020000_4121.json"))
    #expect(
      !RecordCoding.namesItsFile(
        runId: "run_20261122_020000_4121", file: "run_20261122_020000_4121.jsonx"))
  }

  @Test func sha256MatchesKnownDigests() {
    #expect(
      SHA256.hex(of: Data())
        == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(
      SHA256.hex(of: Data("abc".utf8))
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    let long = Data(String(repeating: "a", count: 1000).utf8)
    #expect(
      SHA256.hex(of: long) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
  }

  @Test func recordRoundTripsWithSnakeCaseKeys() throws {
    var task = TaskRecord(
      name: "extract[geo]", task: "extract", source: "geo", dependsOn: ["prepare"],
      logFile: "logs/p/run_20261122_020000_1/extract[geo].log")
    task.status = .timedOut
    task.attempts = [
      AttemptRecord(number: 1, startedAt: Date(timeIntervalSince1970: 1_795_312_800))
    ]
    let record = RunRecord(
      schemaVersion: 1, runId: "run_20261122_020000_1", pipeline: "p", pipelineFile: "/p.yaml",
      pipelineSha256: "00", status: .partial, startedAt: Date(timeIntervalSince1970: 1_795_312_800),
      updatedAt: Date(timeIntervalSince1970: 1_795_312_801), host: "h", pid: 1, user: "u",
      trigger: .scheduled, sourceFilter: ["geo"], orchestrateVersion: "0", maxParallel: 1,
      counts: TaskCounts([task]), tasks: [task])
    let data = try RecordCoding.encoder().encode(record)
    let json = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect(json["schema_version"] as? Int == 1)
    #expect(json["run_id"] as? String == "run_20261122_020000_1")
    #expect(json["started_at"] as? String == "2026-11-22T02:00:00.000Z")
    let tasks = try #require(json["tasks"] as? [[String: Any]])
    #expect(tasks[0]["status"] as? String == "timed_out")
    #expect(tasks[0]["log_file"] as? String == "logs/p/run_20261122_020000_1/extract[geo].log")
    #expect((json["counts"] as? [String: Int])?["timed_out"] == 1)
    #expect(try RecordCoding.decoder().decode(RunRecord.self, from: data) == record)
  }
}

@Suite struct RunStatusTests {
  func counts(completed: Int, failed: Int = 0, skipped: Int = 0) -> TaskCounts {
    var counts = TaskCounts()
    counts.completed = completed
    counts.failed = failed
    counts.skipped = skipped
    return counts
  }

  @Test func followsHowTasksEnded() {
    #expect(RunStatus(counts: counts(completed: 3), cancelledBySignal: false) == .completed)
    #expect(
      RunStatus(counts: counts(completed: 2, failed: 1), cancelledBySignal: false) == .partial)
    #expect(
      RunStatus(counts: counts(completed: 0, failed: 1, skipped: 2), cancelledBySignal: false)
        == .failed)
    #expect(RunStatus(counts: counts(completed: 3), cancelledBySignal: true) == .cancelled)
    #expect(RunStatus(counts: TaskCounts(), cancelledBySignal: false) == .completed)
  }

  /// A task `when:` left out neither completes a run nor fails it.
  @Test func aRunsStatusCountsNotWantedTasksAsNothingMissing() {
    func status(completed: Int, failed: Int, notWanted: Int) -> RunStatus {
      var counts = TaskCounts()
      counts.completed = completed
      counts.failed = failed
      counts.notWanted = notWanted
      return RunStatus(counts: counts, cancelledBySignal: false)
    }
    #expect(status(completed: 2, failed: 0, notWanted: 1) == .completed)
    #expect(status(completed: 0, failed: 0, notWanted: 3) == .completed)
    #expect(status(completed: 0, failed: 2, notWanted: 1) == .failed)
    #expect(status(completed: 1, failed: 1, notWanted: 1) == .partial)
  }
}
