import Foundation
import Testing

@testable import OrchestrateRecords

/// The ledger's files read back as written: items found by binary search
/// among thousands, ids with the characters the format escapes, blocks cut
/// short by a kill, and events after the snapshot applied as compaction
/// would apply them.
@Suite struct ItemLedgerFormatTests {
  let layout = RootLayout(
    root: FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID())").path)
  let run = "run_20261208_010000_4242"

  func event(_ item: String, _ stage: String, _ status: ItemStatus, at: Int64, error: String? = nil)
    -> ItemEvent
  {
    ItemEvent(
      item: item, stage: stage, status: status, at: at, run: run, task: "t", attempt: 1,
      error: error)
  }

  @Test func everyItemIsFoundAmongThousandsAfterCompaction() throws {
    let ledger = ItemLedger(layout: layout, pipeline: "p")
    let writer = ItemSegmentWriter(path: ledger.segmentPath(run: run))
    let odd = ["tab\there", "back\\slash", "new\nline", "ünï", "#hash"]
    var ids = (0..<3000).map { String(format: "ID%05d", ($0 * 7919) % 3000) } + odd
    ids.shuffle()
    #expect(
      writer.commit(ids.map { event($0, "fetched", .done, at: 1) }, task: "t", attempt: 1) == nil)
    #expect(
      writer.commit(
        ids.map { event($0, "parsed", .failed, at: 2, error: "bad\tline") }, task: "t", attempt: 2)
        == nil)
    let summary = try ledger.compact()
    #expect(summary.items == 3005)
    #expect(summary.count("parsed", .failed) == 3005)
    #expect(summary.failures.count == ItemSummary.keptFailures)
    let view = try ledger.load()
    #expect(view.summary.items == 3005, "the snapshot's summary, nothing left to apply")
    for id in odd + ["ID00000", "ID02999", "ID01500"] {
      let states = view.states(of: id)
      #expect(states.map(\.stage) == ["fetched", "parsed"], "\(id)")
      #expect(states.last?.error == "bad\tline")
      #expect(ledger.history(of: id).count == 2, "\(id) through the segment's index")
    }
    #expect(view.states(of: "ID0").isEmpty && view.states(of: "zzz").isEmpty)
    var seen = 0
    view.forEachItem { _, states in
      seen += 1
      #expect(states.count == 2)
    }
    #expect(seen == 3005)
  }

  @Test func aBlockCutShortIsNotCommitted() throws {
    let ledger = ItemLedger(layout: layout, pipeline: "p")
    let path = ledger.segmentPath(run: run)
    let writer = ItemSegmentWriter(path: path)
    writer.commit([event("a", "fetched", .done, at: 1)], task: "t", attempt: 1)
    let whole = try Data(contentsOf: URL(fileURLWithPath: path)).count
    // A second attempt's block without its commit line, as a kill -9 mid-write leaves it.
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    handle.seekToEndOfFile()
    handle.write(Data("E\tb\tfetched\tdone\t2\tt\t2\t\t\t\t\nE\tc\tfetch".utf8))
    try handle.close()
    let read = ItemSegment.read(path: path, run: run)
    #expect(read.events.map(\.event.item) == ["a"])
    #expect(read.end == Int64(whole))
    #expect(read.attempts == [ItemSegment.AttemptKey(task: "t", attempt: 1)])
    #expect(try ledger.load().summary.items == 1)
  }

  @Test func eventsAfterTheSnapshotCountAsCompactionWouldCountThem() throws {
    let ledger = ItemLedger(layout: layout, pipeline: "p")
    let writer = ItemSegmentWriter(path: ledger.segmentPath(run: run))
    writer.commit(
      (0..<50).map { event("d\($0)", "fetched", .done, at: 1) }
        + (0..<5).map { event("d\($0)", "parsed", .started, at: 2) }, task: "t", attempt: 1)
    var settings = ItemSettings()
    settings.stages = ["fetched", "parsed"]
    _ = try ledger.compact(settings: settings)
    let later = ItemSegmentWriter(path: ledger.segmentPath(run: "run_20261208_020000_4243"))
    later.commit(
      (0..<5).map { event("d\($0)", "parsed", .done, at: 3) } + [
        event("new", "fetched", .done, at: 3)
      ],
      task: "t", attempt: 1)
    let applied = try ledger.load().summary
    #expect(applied.items == 51)
    #expect(applied.started.isEmpty)
    #expect(applied.latestDone == ["fetched": 46, "parsed": 5])
    #expect(applied.backlog(before: "parsed", settings: settings) == 46)
    #expect(applied.settings == settings, "the settings of the run that wrote the snapshot")
    let compacted = try ledger.compact()
    #expect(compacted.counts == applied.counts)
    #expect(compacted.latestDone == applied.latestDone)
    #expect(compacted.items == applied.items)
    // The rewritten snapshot: changed items in their place, the others copied.
    let view = try ledger.load()
    #expect(view.states(of: "d0").map(\.status) == [.done, .done])
    #expect(view.states(of: "d10").map(\.status) == [.done])
    #expect(view.states(of: "new").map(\.stage) == ["fetched"])
    var items: [String] = []
    view.forEachItem { item, _ in items.append(item) }
    #expect(items == items.sorted() && items.count == 51)
  }

  @Test func aRecentLayerLeftByAKillAfterAFullSnapshotIsIgnored() throws {
    let ledger = ItemLedger(layout: layout, pipeline: "p")
    ItemSegmentWriter(path: ledger.segmentPath(run: run)).commit(
      (0..<100).map { event("i\($0)", "fetched", .done, at: 1) }, task: "t", attempt: 1)
    _ = try ledger.compact()
    // A few items changed: they go to the recent layer, the snapshot stays.
    ItemSegmentWriter(path: ledger.segmentPath(run: "run_20261208_020000_1")).commit(
      (0..<3).map { event("i\($0)", "parsed", .failed, at: 2) }, task: "t", attempt: 1)
    _ = try ledger.compact()
    let recent = "\(ledger.directory)/snapshot.recent"
    #expect(FileManager.default.fileExists(atPath: recent))
    #expect(try ledger.load().summary.count("parsed", .failed) == 3)
    let kept = try Data(contentsOf: URL(fileURLWithPath: recent))
    // Many items changed: a full snapshot, and the recent layer removed.
    ItemSegmentWriter(path: ledger.segmentPath(run: "run_20261208_030000_1")).commit(
      (0..<10_001).map { event("j\($0)", "fetched", .done, at: 3) }, task: "t", attempt: 1)
    _ = try ledger.compact()
    #expect(!FileManager.default.fileExists(atPath: recent))
    // As if killed between the snapshot's rename and the layer's removal.
    try kept.write(to: URL(fileURLWithPath: recent))
    let view = try ledger.load()
    #expect(view.summary.items == 10_101)
    #expect(view.summary.count("parsed", .failed) == 3)
    #expect(view.summary.count("fetched", .done) == 10_101)
    #expect(view.states(of: "i1").map(\.stage) == ["fetched", "parsed"])
  }
}
