import Foundation
import Testing

@testable import OrchestrateRecords
@testable import OrchestrateStatus

@Suite struct AnomalyDetectorTests {
  func record(
    _ tasks: [(name: String, seconds: Double, loaded: Double?)], status: TaskStatus = .completed
  )
    -> RunRecord
  {
    let records = tasks.map { task -> TaskRecord in
      var record = TaskRecord(
        name: task.name, task: task.name, source: nil, dependsOn: [], logFile: "x")
      record.status = status
      record.durationSeconds = task.seconds
      record.metrics = task.loaded.map { ["documents_loaded": $0] }
      return record
    }
    return RunRecord(
      schemaVersion: 1, runId: "run_20261122_020000_1", pipeline: "p", pipelineFile: "p",
      pipelineSha256: "", status: .completed, startedAt: Date(), updatedAt: Date(), host: "h",
      pid: 1, user: "u", trigger: .scheduled, sourceFilter: [], orchestrateVersion: "0",
      maxParallel: 1, counts: TaskCounts(records), tasks: records)
  }

  let usual = [1480.0, 1510, 1502, 1495, 1530, 1470].map { loaded in
    (name: "load", seconds: 60.0 + loaded / 100, loaded: Optional(loaded))
  }

  func history() -> [RunDigest] { usual.map { digest(record([$0])) } }

  func digest(_ record: RunRecord) -> RunDigest { RunDigest(record, file: "\(record.runId).json") }

  @Test func aCounterThatCollapsesIsFlagged() {
    let found = AnomalyDetector.anomalies(
      in: record([(name: "load", seconds: 75, loaded: 12)]), history: history(),
      thresholds: AnomalyThresholds())
    #expect(found == [Anomaly(task: "load", field: "documents_loaded", value: 12, median: 1498.5)])
    #expect(found[0].factor < 0.01)
  }

  @Test func normalNoiseIsNot() {
    for loaded in [1200.0, 1490, 1800, 2900] {
      let found = AnomalyDetector.anomalies(
        in: record([(name: "load", seconds: 80, loaded: loaded)]), history: history(),
        thresholds: AnomalyThresholds())
      #expect(found.isEmpty, "\(loaded)")
    }
  }

  @Test func aSlowRunIsFlaggedButMillisecondsAreNoise() {
    let slow = AnomalyDetector.anomalies(
      in: record([(name: "load", seconds: 400, loaded: 1500)]), history: history(),
      thresholds: AnomalyThresholds())
    #expect(slow.map(\.field) == ["duration_seconds"])
    let quickHistory = (0..<6).map { _ in
      digest(record([(name: "tiny", seconds: 0.01, loaded: nil)]))
    }
    let quick = AnomalyDetector.anomalies(
      in: record([(name: "tiny", seconds: 0.2, loaded: nil)]), history: quickHistory,
      thresholds: AnomalyThresholds())
    #expect(quick.isEmpty)
  }

  @Test func tooLittleHistoryJudgesNothing() {
    let found = AnomalyDetector.anomalies(
      in: record([(name: "load", seconds: 900, loaded: 1)]), history: Array(history().prefix(4)),
      thresholds: AnomalyThresholds())
    #expect(found.isEmpty)
  }

  @Test func failedRunsAreNotTheNorm() {
    let failures = (0..<6).map { _ in
      digest(record([(name: "load", seconds: 1, loaded: 3)], status: .failed))
    }
    let found = AnomalyDetector.anomalies(
      in: record([(name: "load", seconds: 75, loaded: 12)]), history: failures + history(),
      thresholds: AnomalyThresholds())
    #expect(found.map(\.field) == ["documents_loaded"])
  }

  @Test func thresholdsComeFromThePipeline() throws {
    let pipeline = try parse(
      """
      anomalies: {min_runs: 3, runs: 10, duration_factor: 2, counter_low: 0.5, counter_high: 2}
      tasks: [{name: a, run: x}]
      """)
    #expect(pipeline.anomalyThresholds.minimumRuns == 3)
    #expect(pipeline.anomalyThresholds.historyRuns == 10)
    #expect(pipeline.anomalyThresholds.counterLow == 0.5)
    #expect(
      rejection("anomalies: {counter_low: 2}\ntasks: [{name: a, run: x}]")?.field
        == "anomalies.counter_low")
  }
}
