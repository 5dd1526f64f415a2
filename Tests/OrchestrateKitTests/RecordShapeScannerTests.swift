import Foundation
import Testing

@testable import OrchestrateRecords

/// The scanner that reads a record's digest when the status index is built
/// from the records: the same digest as Foundation's decoder, or none.
@Suite struct RecordShapeScannerTests {
  func json(_ record: RunRecord) throws -> Data {
    try RecordCoding.encoder().encode(record)
  }

  /// Scanned, and the same digest as the decoder's.
  func expectSame(_ data: Data, file: String, sourceLocation: SourceLocation = #_sourceLocation)
    throws
  {
    #expect(RecordShapeScanner.shape(data) != nil, "scanned", sourceLocation: sourceLocation)
    let scanned = try RunDigest.decode(data, file: file)
    let decoded = try RunDigest.decode(data, file: file, scan: false)
    #expect(scanned == decoded, sourceLocation: sourceLocation)
  }

  @Test func recordsOfEveryShapeReadAsTheDecoderReadsThem() throws {
    var counters = SyntheticRuns.record(2)
    counters.tasks[0].metrics = [
      "documents_loaded": 1500.0, "a=b,c": 2, "100%": 0.25, "tab\tand\nnewline": -3,
      "gène \"quoted\" \\ 😀": 1e12, "tiny": 5e-324,
    ]
    counters.tasks[1].metrics = [:]
    var rerun = SyntheticRuns.record(
      1, status: .partial,
      tasks: [("a", .completed, 1), ("b", .failed, 1), ("c", .notWanted, 0)])
    rerun.tasks[0].reusedFrom = SyntheticRuns.record(0).runId
    rerun.rerunOf = SyntheticRuns.record(0).runId
    rerun.environment = "prod\u{1}é"
    rerun.trigger = .manual
    rerun.sourceFilter = ["geo"]
    let records = [
      SyntheticRuns.record(0), SyntheticRuns.record(3, status: .failed),
      SyntheticRuns.record(4, status: .running), counters, rerun,
    ]
    for record in records {
      try expectSame(json(record), file: "\(record.runId).json")
    }
  }

  func hand(_ tasks: String = "[]", extra: String = "") -> Data {
    let id = SyntheticRuns.record(0).runId
    return Data(
      """
      {"schema_version": 2, "pipeline": "p", "run_id": "\(id)", "status": "completed",
       "started_at": "2026-11-22T02:00:00.000Z", "duration_seconds": 1.5e2\(extra),
       "tasks": \(tasks)}
      """.utf8)
  }

  var file: String { "\(SyntheticRuns.record(0).runId).json" }

  @Test func escapesNumbersAndNestingAreReadAsJSONHasThem() throws {
    try expectSame(hand(), file: file)
    try expectSame(
      hand(
        #"[{"name": "t\u00e9\ud83d\ude00\n\/", "status": "completed", "attempts": [{}, {"a": [1, {"b": null}]}], "peak_rss_bytes": -0, "metrics": {"x": 0.1, "y": -2E+3}}]"#,
        extra:
          #", "unknown": {"deep": [[[true, false, null, "s\"", 12.5e-1]]]}, "environment": null"#
      ), file: file)
  }

  @Test func whatItIsNotSureOfIsLeftToTheDecoder() throws {
    let doubtful = [
      // A key written with an escape, and a key given twice.
      hand(extra: #", "environ\u006dent": "prod""#),
      hand(extra: #", "duration_seconds": 3"#),
      // An integer with a fraction, and one too large.
      hand(#"[{"name": "t", "status": "completed", "peak_rss_bytes": 1.0}]"#),
      hand(#"[{"name": "t", "status": "completed", "peak_rss_bytes": 99999999999999999999}]"#),
      // A lone surrogate, a status that is not one, a value of another type.
      hand(#"[{"name": "\ud83d", "status": "completed"}]"#),
      hand(#"[{"name": "t", "status": "finished"}]"#),
      hand(extra: #", "environment": 5"#),
      hand(#"[{"name": "t", "status": "completed", "attempts": [1]}]"#),
    ]
    for data in doubtful {
      #expect(RecordShapeScanner.shape(data) == nil, "\(String(decoding: data, as: UTF8.self))")
      // Judged by the decoder alone: the same answer, a digest or an error.
      let scanned = try? RunDigest.decode(data, file: file)
      let decoded = try? RunDigest.decode(data, file: file, scan: false)
      #expect(scanned == decoded)
    }
  }

  @Test func brokenDocumentsAreNotRecords() throws {
    let whole = hand()
    let broken = [
      whole.prefix(whole.count - 1), whole + Data(" x".utf8), Data("[]".utf8), Data(),
      Data(#"{"schema_version": 01}"#.utf8), Data([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]),
      // A sign is not a hexadecimal digit, though UInt32(_:radix:) takes one.
      hand(#"[{"name": "t\u+041", "status": "completed"}]"#),
      Data(String(repeating: "[", count: 100_000).utf8),
    ]
    for data in broken {
      #expect(RecordShapeScanner.shape(Data(data)) == nil)
      #expect(throws: (any Error).self) { try RunDigest.decode(Data(data), file: file) }
    }
  }
}
