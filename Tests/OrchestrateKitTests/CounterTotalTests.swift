import Foundation
import Testing

@testable import OrchestrateCore
@testable import OrchestrateRecords

/// Counters summed per task of the pipeline file, with each source's share,
/// and how they read.
@Suite struct CounterTotalTests {
  func instance(_ task: String, source: String?, _ metrics: [String: Double]?) -> TaskRecord {
    var record = TaskRecord(
      name: source.map { "\(task)[\($0)]" } ?? task, task: task, source: source, dependsOn: [],
      logFile: "logs/x")
    record.status = .completed
    record.metrics = metrics
    return record
  }

  @Test func theInstancesOfAPerSourceTaskAddUp() {
    let totals = CounterTotal.totals(of: [
      instance("extract", source: "sra", ["records": 1360, "bytes": 10]),
      instance("extract", source: "geo", ["records": 1360]),
      instance("extract", source: "biosample", ["records": 2080, "bytes": 5]),
    ])
    #expect(
      totals == [
        "extract": [
          "records": CounterTotal(
            total: 4800, bySource: ["sra": 1360, "geo": 1360, "biosample": 2080]),
          // geo did not report bytes: it adds nothing and has no share.
          "bytes": CounterTotal(total: 15, bySource: ["sra": 10, "biosample": 5]),
        ]
      ])
  }

  @Test func aTaskWithoutASourceHasATotalOnly() {
    let totals = CounterTotal.totals(of: [instance("catalog", source: nil, ["lines": 4800])])
    #expect(totals == ["catalog": ["lines": CounterTotal(total: 4800)]])
    #expect(totals?["catalog"]?["lines"]?.bySource == nil)
  }

  /// `fetch` and `parse` both count `records`: the same records, counted
  /// twice if summed, so each task keeps its own total.
  @Test func twoTasksWithTheSameCounterKeepTheirOwnTotals() {
    let totals = CounterTotal.totals(of: [
      instance("fetch", source: "sra", ["records": 100]),
      instance("fetch", source: "geo", ["records": 50]),
      instance("parse", source: "sra", ["records": 90]),
      instance("parse", source: "geo", ["records": 50]),
      instance("load", source: nil, ["records": 140]),
    ])
    #expect(totals?["fetch"]?["records"]?.total == 150)
    #expect(totals?["parse"]?["records"]?.total == 140)
    #expect(totals?["parse"]?["records"]?.bySource == ["sra": 90, "geo": 50])
    #expect(totals?["load"]?["records"] == CounterTotal(total: 140))
  }

  @Test func missingAndUnusableCountersAreLeftOut() {
    #expect(CounterTotal.totals(of: []) == nil)
    #expect(CounterTotal.totals(of: [instance("a", source: nil, nil)]) == nil)
    #expect(CounterTotal.totals(of: [instance("a", source: "sra", [:])]) == nil)
    // Read back from a file, a counter could be anything a number can be.
    let totals = CounterTotal.totals(of: [
      instance("a", source: "sra", ["nan": .nan, "huge": .greatestFiniteMagnitude, "ok": 1.5]),
      instance("a", source: "geo", ["huge": .greatestFiniteMagnitude, "ok": -0.5]),
      instance("b", source: nil, ["inf": .infinity]),
    ])
    #expect(totals == ["a": ["ok": CounterTotal(total: 1, bySource: ["sra": 1.5, "geo": -0.5])]])
  }

  @Test func aRecordWithoutCountersIsWrittenAsBefore() {
    let tasks = [instance("a", source: nil, nil)]
    var record = SyntheticRuns.record(1)
    record.tasks = tasks
    let before = RecordJSON.encode(record)
    record.totals = CounterTotal.totals(of: tasks)
    #expect(RecordJSON.encode(record) == before)
  }

  @Test func textForm() {
    let total = CounterTotal(total: 4800, bySource: ["sra": 1360, "geo": 1360, "biosample": 2080])
    #expect(
      total.text(counter: "records") == "records 4,800 (biosample 2,080, geo 1,360, sra 1,360)")
    #expect(CounterTotal(total: 12).text(counter: "lines") == "lines 12")
    #expect(
      CounterTotal.lines([
        "parse": ["records": CounterTotal(total: 1_000_000)],
        "extract": ["records": total, "bytes": CounterTotal(total: 2.5, bySource: ["sra": 2.5])],
      ]) == [
        "extract: bytes 2.5 (sra 2.5)",
        "extract: records 4,800 (biosample 2,080, geo 1,360, sra 1,360)",
        "parse: records 1,000,000",
      ])
    #expect(CounterTotal.lines(nil) == [])
  }

  @Test func numbersWithThousandsSeparators() {
    let cases: [(Double, String)] = [
      (0, "0"), (7, "7"), (999, "999"), (1000, "1,000"), (4800, "4,800"), (-1234, "-1,234"),
      (1_234_567, "1,234,567"), (1234.5, "1,234.5"), (0.25, "0.25"), (-0.5, "-0.5"),
      (1.25e-7, "1.25e-07"), (1e20, "1e+20"), (123_456.78, "123,457"),
      (999_999_999_999_999, "999,999,999,999,999"),
    ]
    for (value, text) in cases {
      #expect(CounterDisplay.format(value) == text, "\(value)")
    }
  }
}
