import Foundation
import Testing

@testable import OrchestrateCore
@testable import OrchestrateRecords

/// Totals judged against the same task's totals in earlier completed runs.
@Suite struct TotalAnomalyDetectorTests {
  /// A run of `extract` over sources, each reporting `records` (nil: the
  /// instance failed without reporting).
  func record(
    _ counts: [String: Double?], status: RunStatus = .completed, sourceFilter: [String] = []
  ) -> RunRecord {
    let tasks = counts.sorted { $0.key < $1.key }.map { source, count -> TaskRecord in
      var task = TaskRecord(
        name: "extract[\(source)]", task: "extract", source: source, dependsOn: [], logFile: "x")
      task.status = count == nil ? .failed : .completed
      task.durationSeconds = 10
      task.metrics = count.map { ["records": $0] }
      return task
    }
    return RunRecord(
      schemaVersion: 1, runId: "run_20261122_020000_1", pipeline: "p", pipelineFile: "p",
      pipelineSha256: "", status: status, startedAt: Date(), updatedAt: Date(), host: "h",
      pid: 1, user: "u", trigger: .scheduled, sourceFilter: sourceFilter, orchestrateVersion: "0",
      maxParallel: 1, counts: TaskCounts(tasks), tasks: tasks)
  }

  func history(_ totals: [Double] = [4800, 4700, 4900, 4850, 4750]) -> [RunDigest] {
    totals.map { total in
      let share = (total / 3).rounded()
      return RunDigest(
        record(["sra": share, "geo": share, "biosample": total - 2 * share]), file: "x.json")
    }
  }

  func thresholds(low: Double = 0.5, high: Double = 2) -> AnomalyThresholds {
    var thresholds = AnomalyThresholds()
    thresholds.totals = ["records": .init(low: low, high: high)]
    return thresholds
  }

  @Test func aTotalThatSagsEverywhereIsFlaggedThoughNoSourceIs() {
    let found = AnomalyDetector.anomalies(
      in: record(["sra": 500, "geo": 500, "biosample": 500]), history: history(),
      thresholds: thresholds())
    #expect(
      found == [
        Anomaly(task: "extract", field: "records", value: 1500, median: 4800, scope: .total)
      ])
    #expect(found.first?.sentence == "extract total: records 1,500 is 0.31× its median 4,800")
  }

  @Test func aSourceThatStopsReportingCollapsesTheTotal() {
    let found = AnomalyDetector.anomalies(
      in: record(["sra": 1600, "geo": nil, "biosample": nil]), history: history(),
      thresholds: thresholds())
    #expect(found.map(\.value) == [1600])
    #expect(found.map(\.scope) == [.total])
  }

  @Test func aTotalAboveItsHighBoundIsFlagged() {
    let found = AnomalyDetector.anomalies(
      in: record(["sra": 4000, "geo": 4000, "biosample": 4000]), history: history(),
      thresholds: thresholds(high: 2))
    #expect(found.filter { $0.scope == .total }.map(\.value) == [12000])
  }

  @Test func usualTotalsAndUndeclaredCountersAreNotFlagged() {
    let usual = record(["sra": 1500, "geo": 1700, "biosample": 1400])
    #expect(
      AnomalyDetector.anomalies(in: usual, history: history(), thresholds: thresholds()).isEmpty)
    let sagging = record(["sra": 500, "geo": 500, "biosample": 500])
    #expect(
      AnomalyDetector.anomalies(in: sagging, history: history(), thresholds: AnomalyThresholds())
        .isEmpty, "totals are judged only when declared")
  }

  @Test func tooLittleHistoryIsNoBaseline() {
    let sagging = record(["sra": 500, "geo": 500, "biosample": 500])
    #expect(
      AnomalyDetector.anomalies(
        in: sagging, history: history([4800, 4700, 4900, 4850]), thresholds: thresholds()
      ).isEmpty)
  }

  @Test func onlyWholeCompletedRunsAreTheBaseline() {
    // Failed and `--source` runs have partial totals: counted, they would
    // drag the median down until a collapse looked usual.
    let partial = (0..<10).map { _ in
      RunDigest(record(["sra": 100, "geo": nil, "biosample": nil], status: .failed), file: "f")
    }
    let filtered = (0..<10).map { _ in
      RunDigest(record(["sra": 100], sourceFilter: ["sra"]), file: "s")
    }
    let found = AnomalyDetector.anomalies(
      in: record(["sra": 500, "geo": 500, "biosample": 500]),
      history: partial + filtered + history(), thresholds: thresholds())
    #expect(found.filter { $0.scope == .total }.map(\.median) == [4800])
  }

  @Test func aRunOfSomeSourcesIsNotJudged() {
    let found = AnomalyDetector.anomalies(
      in: record(["sra": 1600], sourceFilter: ["sra"]), history: history(),
      thresholds: thresholds())
    #expect(found.isEmpty)
  }

  @Test func aTaskThatNeverCompletedIsLeftToItsFailure() {
    let found = AnomalyDetector.anomalies(
      in: record(["sra": nil, "geo": nil, "biosample": nil], status: .failed), history: history(),
      thresholds: thresholds())
    #expect(found.isEmpty)
  }

  @Test func theWindowIsTheNewestRuns() {
    // Newest first: five runs near 1,500 after older ones near 4,800.
    var thresholds = thresholds()
    thresholds.historyRuns = 5
    let found = AnomalyDetector.anomalies(
      in: record(["sra": 500, "geo": 500, "biosample": 500]),
      history: history([1500, 1500, 1500, 1500, 1500]) + history(), thresholds: thresholds)
    #expect(found.isEmpty)
  }

  @Test func digestsSumInstancesPerTaskOfTheFile() {
    let digest = RunDigest(record(["sra": 1, "geo": 2, "biosample": nil]), file: "x.json")
    #expect(digest.counterTotals == ["extract": ["records": 3]])
  }
}

/// Counters in anomaly sentences are grouped as totals are.
@Suite struct AnomalySentenceTests {
  @Test func countersHaveThousandsSeparators() {
    #expect(
      Anomaly(task: "load", field: "documents_loaded", value: 12, median: 1505).sentence
        == "load: documents_loaded 12 is 0.01× its median 1,505")
    #expect(
      Anomaly(task: "load", field: "score", value: 1234.5, median: 20_000).sentence
        == "load: score 1,234.5 is 0.06× its median 20,000")
  }

  @Test func durationsStayDurations() {
    let sentence = Anomaly(task: "load", field: "duration_seconds", value: 400, median: 60)
      .sentence
    #expect(sentence.hasPrefix("load: duration_seconds "))
    #expect(!sentence.contains("400"), "\(sentence)")
  }
}

/// `anomalies.totals` as a pipeline file declares it.
@Suite struct TotalThresholdSettingsTests {
  @Test func boundsDefaultToTheCounterBounds() throws {
    let pipeline = try parse(
      """
      anomalies: {counter_low: 0.2, counter_high: 5, totals: {records: {low: 0.5}, bytes: {}}}
      tasks: [{name: a, run: x}]
      """)
    #expect(
      pipeline.anomalyThresholds.totals == [
        "records": .init(low: 0.5, high: 5), "bytes": .init(low: 0.2, high: 5),
      ])
    #expect(try parse("tasks: [{name: a, run: x}]").anomalyThresholds.totals.isEmpty)
  }

  @Test func badBoundsNameTheirField() {
    let low = rejection("anomalies: {totals: {records: {low: 1.5}}}\ntasks: [{name: a, run: x}]")
    #expect(low?.field == "anomalies.totals.records.low")
    let high = rejection("anomalies: {totals: {records: {high: 0.5}}}\ntasks: [{name: a, run: x}]")
    #expect(high?.field == "anomalies.totals.records.high")
    let unknown = rejection(
      "anomalies: {totals: {records: {min_ratio: 0.5}}}\ntasks: [{name: a, run: x}]")
    #expect(unknown != nil)
    #expect(unknown?.description.contains("min_ratio") == true, "\(String(describing: unknown))")
  }
}

/// A task that runs once is judged per instance only.
@Suite struct TotalOfOneInstanceTests {
  @Test func aTaskWithoutSourcesIsNotFlaggedTwice() {
    func run(_ count: Double) -> RunRecord {
      var task = TaskRecord(name: "parse", task: "parse", source: nil, dependsOn: [], logFile: "x")
      task.status = .completed
      task.metrics = ["records": count]
      return RunRecord(
        schemaVersion: 1, runId: "run_20261122_020000_1", pipeline: "p", pipelineFile: "p",
        pipelineSha256: "", status: .completed, startedAt: Date(), updatedAt: Date(), host: "h",
        pid: 1, user: "u", trigger: .scheduled, sourceFilter: [], orchestrateVersion: "0",
        maxParallel: 1, counts: TaskCounts([task]), tasks: [task])
    }
    var thresholds = AnomalyThresholds()
    thresholds.totals = ["records": .init(low: 0.5, high: 2)]
    let found = AnomalyDetector.anomalies(
      in: run(100), history: [4800, 4700, 4900, 4850, 4750].map { RunDigest(run($0), file: "x") },
      thresholds: thresholds)
    #expect(found == [Anomaly(task: "parse", field: "records", value: 100, median: 4800)])
  }
}
