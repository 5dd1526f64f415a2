import Foundation
import Testing

@testable import OrchestrateExecution
@testable import OrchestrateStatus

@Suite struct DirectoryMarkTests {
  func load(_ directory: String) -> StatusIndex.Contents {
    StatusIndex.load(directory: directory, now: Date().addingTimeInterval(60))
  }

  func lastLine(_ directory: String) throws -> Substring? {
    try String(contentsOfFile: "\(directory)/\(StatusIndex.fileName)", encoding: .utf8)
      .split(separator: "\n").last
  }

  /// A change of the directory shows in its change time only once the
  /// clock has moved on from the time the mark holds.
  func waitUntilSettled(_ directory: String) throws {
    while try #require(DirectoryMark.of(directory)).isSettled(now: Date()) == false {
      Thread.sleep(forTimeInterval: 0.2)
    }
  }

  @Test func aMarkedIndexIsReadWithoutTheRecordsUntilTheDirectoryChanges() throws {
    let directory = SyntheticRuns.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let records = (0..<3).map { SyntheticRuns.record($0) }
    try SyntheticRuns.write(records, to: directory)

    #expect(load(directory).runs.count == 3)
    #expect(try lastLine(directory)?.hasPrefix(".\t") == false, "a fresh directory is not marked")
    try waitUntilSettled(directory)
    #expect(load(directory).runs.count == 3)
    let mark = try #require(DirectoryMark.of(directory))
    #expect(try lastLine(directory) == Substring(mark.line))

    // Rewritten in place, without a rename: the directory does not change,
    // and the marked index is trusted (the documented cost of the mark).
    var edited = records[0]
    edited.status = .failed
    try SyntheticRuns.write([edited], to: directory)
    #expect(load(directory).runs.first?.status == .completed)

    // A new record changes the directory: everything is listed and statted
    // again, the edit included.
    try SyntheticRuns.write([SyntheticRuns.record(3)], to: directory)
    let after = load(directory)
    #expect(after.runs.map(\.runId) == (records + [SyntheticRuns.record(3)]).map(\.runId))
    #expect(after.runs.first?.status == .failed)

    try waitUntilSettled(directory)
    _ = load(directory)
    try FileManager.default.removeItem(atPath: "\(directory)/\(records[1].runId).json")
    #expect(!load(directory).runs.contains { $0.runId == records[1].runId })
  }

  @Test func aRunLineAfterTheMarkMeansTheIndexIsCheckedAgain() throws {
    let directory = SyntheticRuns.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try SyntheticRuns.write((0..<2).map { SyntheticRuns.record($0) }, to: directory)
    // The first load writes the index, by a rename: the directory changes.
    _ = load(directory)
    try waitUntilSettled(directory)
    _ = load(directory)
    #expect(try lastLine(directory)?.hasPrefix(".\t") == true)
    // A run's end appends its line after the mark, as `StatusIndex.add` does.
    let record = SyntheticRuns.record(2)
    try SyntheticRuns.write([record], to: directory)
    StatusIndex.add(finalRecord: record, at: "\(directory)/\(record.runId).json")
    #expect(load(directory).runs.count == 3)
  }

  @Test func onlyAWholeMarkOnTheLastLineCounts() {
    let mark = DirectoryMark(inode: 42, changed: 1_790_000_000_123_456_789)
    func last(_ text: String) -> DirectoryMark? { DirectoryMark.last(in: Data(text.utf8)) }
    #expect(last("header\n\(mark.line)\n") == mark)
    #expect(last("\(mark.line)\n") == mark)
    #expect(last("header\n\(mark.line)") == nil, "torn: no newline")
    #expect(last("header\n\(mark.line)\nrun.json\t1\t2\n") == nil)
    #expect(last("header\n.\t42\n") == nil)
    #expect(last("header\n.\t-1\t5\n") == nil)
    #expect(last("header\nx.json\t42\t7\n") == nil)
    #expect(last("") == nil)
  }
}
