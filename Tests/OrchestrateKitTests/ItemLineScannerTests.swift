import Foundation
import Testing

@testable import OrchestrateExecution
@testable import OrchestrateRecords

/// Item lines read by the scanner are read as Foundation's decoder reads them.
@Suite struct ItemLineScannerTests {
  static let lines = [
    #"{"item": "GSE1", "stage": "fetched", "status": "done"}"#,
    #"{"status":"failed","stage":"parsed","item":"ünï","error":"no title","size":12.5,"source":"geo"}"#,
    #"  { "item" : "a" , "stage" : "qc" , "status" : "started" , "size" : -1e3 }  "#,
    #"{"item": "a", "stage": "qc", "status": "done", "size": 01}"#,
    #"{"item": "a", "stage": "qc", "status": "done", "size": 1.}"#,
    #"{"item": "a", "stage": "qc", "status": "done", "size": "12"}"#,
    #"{"item": "a\"b", "stage": "qc", "status": "done"}"#,
    #"{"item": "a", "stage": "q c", "status": "done"}"#,
    #"{"item": "a", "stage": "qc", "status": "finished"}"#,
    #"{"item": "", "stage": "qc", "status": "done"}"#,
    #"{"item": "a", "stage": "qc"}"#,
    #"{"item": "a", "stage": "qc", "status": "done", "attrs": {"n": 1}}"#,
    #"{"item": "a", "stage": "qc", "status": "done", "error": null}"#,
    #"{"item": "a", "stage": "qc", "status": "done"} trailing"#,
    #"{"item": "a", "stage": "qc", "status": "done",}"#,
    #"{"item": "a", "item": "b", "stage": "qc", "status": "done"}"#,
    #"["item"]"#, "", "{}", "not json",
  ]

  @Test func scannedLinesAreDecodedLines() {
    for line in Self.lines {
      let data = Data(line.utf8)
      let event = ItemReportReader.event(data, at: 1, run: "r", task: "t", attempt: 1)
      let decoded = ItemReportReader.decoded(data, at: 1, run: "r", task: "t", attempt: 1)
      // A key given twice is refused by the decoder, and left to it.
      #expect(event == decoded, "\(line)")
    }
    #expect(
      ItemReportReader.event(Data(Self.lines[1].utf8), at: 1, run: "r", task: "t", attempt: 1)?.size
        == 12.5)
  }
}
