import Foundation
import Glibc
import Testing

@testable import OrchestrateRecords

/// The status index as history grows: brought up to date from what it
/// lacks, appended to, compacted now and then, and read while a run ends.
@Suite struct StatusIndexGrowthTests {
  func load(_ directory: String) -> StatusIndex.Contents {
    StatusIndex.load(directory: directory, now: Date().addingTimeInterval(60))
  }

  func indexPath(_ directory: String) -> String { "\(directory)/\(StatusIndex.fileName)" }

  func indexLines(_ directory: String) throws -> [Substring] {
    try String(contentsOfFile: indexPath(directory), encoding: .utf8).split(separator: "\n")
  }

  /// Overwrites a record with text that is not a record, keeping its size
  /// and modification time: only a read of the file itself can tell.
  func spoil(_ path: String) throws {
    var info = stat()
    #expect(stat(path, &info) == 0)
    try Data(repeating: UInt8(ascii: "x"), count: Int(info.st_size)).write(
      to: URL(fileURLWithPath: path))
    var times = [info.st_atim, info.st_mtim]
    #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
  }

  @Test func anIndexLackingSomeRecordsReadsOnlyThose() throws {
    let directory = SyntheticRuns.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let records = (0..<6).map { SyntheticRuns.record($0, status: $0 == 4 ? .failed : .completed) }
    try SyntheticRuns.write(records, to: directory)
    let first = load(directory)
    // The index without the lines of two records, as runs that ended
    // without updating it would leave it.
    let lacking: Set = ["\(records[2].runId).json", "\(records[4].runId).json"]
    let kept = try indexLines(directory).filter { line in
      !lacking.contains { line.hasPrefix("\($0)\t") }
    }
    try (kept.joined(separator: "\n") + "\n").write(
      toFile: indexPath(directory), atomically: true, encoding: .utf8)
    // Reading any of the others now would find it unreadable.
    for record in records where !lacking.contains("\(record.runId).json") {
      try spoil("\(directory)/\(record.runId).json")
    }

    let second = load(directory)
    #expect(second.unreadable.isEmpty, "only the records the index lacked were read")
    #expect(second.runs == first.runs)
    let lines = try indexLines(directory)
    #expect(Array(lines.prefix(kept.count)) == kept, "appended, not rewritten")
    #expect(lines.count == kept.count + 2)
  }

  @Test func supersededLinesAreCompactedNowAndThen() throws {
    let directory = SyntheticRuns.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var record = SyntheticRuns.record(0)
    try SyntheticRuns.write([record, SyntheticRuns.record(1)], to: directory)
    _ = load(directory)
    let path = "\(directory)/\(record.runId).json"
    var counts: [Int] = []
    for change in 1...150 {
      // Each change a new stamp: a modification time of its own.
      record.durationSeconds = Double(change)
      try SyntheticRuns.write([record], to: directory)
      var times = [timespec(tv_sec: 1_800_000_000 + change, tv_nsec: 0)]
      times.append(times[0])
      #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
      let contents = load(directory)
      #expect(contents.runs.first?.durationSeconds == Double(change))
      counts.append(try indexLines(directory).count)
    }
    #expect(counts.contains(3), "rewritten with one line a record")
    #expect(counts.max()! < 80, "superseded lines do not pile up")
    #expect(zip(counts, counts.dropFirst()).contains { $1 == $0 + 1 }, "appended in between")
  }

  @Test func aRunEndingWhileStatusReadsIsSeenWholeOrNotAtAll() async throws {
    let directory = SyntheticRuns.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let earlier = (0..<300).map {
      SyntheticRuns.record($0, status: $0 % 3 == 0 ? .failed : .completed)
    }
    try SyntheticRuns.write(earlier, to: directory)
    _ = load(directory)
    let later = (300..<360).map {
      SyntheticRuns.record($0, status: $0 % 3 == 0 ? .failed : .completed)
    }
    let expected = Dictionary(
      uniqueKeysWithValues: (earlier + later).map { ($0.runId, $0.status) })

    // Runs end one after another, each writing its record as a run does
    // (whole, under its name by a rename) and then its line.
    let ending = Task.detached {
      for record in later {
        let path = "\(directory)/\(record.runId).json"
        try RecordCoding.encoder().encode(record).write(to: URL(fileURLWithPath: path + ".part"))
        #expect(rename(path + ".part", path) == 0)
        StatusIndex.add(finalRecord: record, at: path)
      }
    }
    func recordsWritten() throws -> Int {
      try FileManager.default.contentsOfDirectory(atPath: directory)
        .filter { $0.hasSuffix(".json") }.count
    }
    var reads = 0
    repeat {
      let contents = load(directory)
      #expect(contents.unreadable.isEmpty)
      #expect(contents.runs.count >= earlier.count)
      #expect(contents.runs.allSatisfy { expected[$0.runId] == $0.status })
      reads += 1
    } while try reads < 5 || recordsWritten() < expected.count
    try await ending.value

    let final = load(directory)
    #expect(final.runs.map(\.runId) == (earlier + later).map(\.runId))
    #expect(final.runs.allSatisfy { expected[$0.runId] == $0.status })
    #expect(load(directory).runs == final.runs, "the index reads back what the files said")
  }
}
