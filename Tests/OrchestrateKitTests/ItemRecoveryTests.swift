import Foundation
import Testing

@testable import OrchestrateCore
@testable import OrchestrateExecution
@testable import OrchestrateRecords

/// A dead run's items are settled as its record is: an attempt its journal
/// says ended has its events in the ledger, once; one that never ended has none.
@Suite struct ItemRecoveryTests {
  let layout = RootLayout(
    root: FileManager.default.temporaryDirectory.appendingPathComponent("recovery-\(UUID())").path)
  let run = "run_20261208_010000_4242"

  func write(_ relative: String, _ text: String) throws {
    let path = layout.absolute(relative)
    try FileManager.default.createDirectory(
      atPath: PathName.parent(path), withIntermediateDirectories: true)
    try text.write(toFile: path, atomically: true, encoding: .utf8)
  }

  @Test func endedAttemptsAreRecoveredOnceAndUnendedOnesDiscarded() throws {
    let logs = "logs/p/\(run)"
    try write(
      "\(logs)/fetch[geo].1.items.jsonl",
      #"{"item": "g1", "stage": "fetched", "status": "done"}"# + "\n")
    try write(
      "\(logs)/parse.1.items.jsonl",
      #"{"item": "g1", "stage": "parsed", "status": "started"}"# + "\n")
    let ended = Date(timeIntervalSince1970: 1_800_000_000)
    let usage = ResourceUsage(peakRSSBytes: 0, userSeconds: 0, systemSeconds: 0)
    let journal: [JournalEntry] = [
      .exited(
        task: "fetch[geo]", attempt: 1, at: ended, durationSeconds: 1, status: .exited(0),
        timedOut: false, usage: usage)
    ]
    #expect(ItemRecovery.recover(run: run, pipeline: "p", journal: journal, layout: layout) == 1)
    #expect(ItemRecovery.recover(run: run, pipeline: "p", journal: journal, layout: layout) == 0)
    let ledger = ItemLedger(layout: layout, pipeline: "p")
    let history = ledger.history(of: "g1")
    #expect(history.map(\.stage) == ["fetched"], "parse never ended: its events are not committed")
    #expect(history.first?.task == "fetch[geo]")
    #expect(history.first?.at == 1_800_000_000_000, "stamped with the attempt's end")
  }
}
