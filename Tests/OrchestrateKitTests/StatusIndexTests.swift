import Foundation
import Testing

@testable import OrchestrateExecution
@testable import OrchestrateStatus

@Suite struct StatusIndexTests {
  /// Loads as a later call would: the index only keeps files older than
  /// two seconds, so "later" is a minute on.
  func load(_ directory: String) -> StatusIndex.Contents {
    StatusIndex.load(directory: directory, now: Date().addingTimeInterval(60))
  }

  @Test func theIndexFollowsNewChangedAndVanishedFiles() throws {
    let directory = SyntheticRuns.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let records = (0..<5).map { SyntheticRuns.record($0) }
    try SyntheticRuns.write(records, to: directory)

    let first = load(directory)
    #expect(first.runs.map(\.runId) == records.map(\.runId))
    #expect(FileManager.default.fileExists(atPath: "\(directory)/\(StatusIndex.fileName)"))
    #expect(load(directory).runs == first.runs, "the index reads back what the files said")

    var changed = records[1]
    changed.status = .failed
    changed.tasks[0].status = .failed
    try SyntheticRuns.write([changed, SyntheticRuns.record(9)], to: directory)
    try FileManager.default.removeItem(atPath: "\(directory)/\(records[3].runId).json")

    let second = load(directory)
    #expect(second.runs.count == 5)
    #expect(second.runs.first { $0.runId == changed.runId }?.status == .failed)
    #expect(second.runs.first { $0.runId == changed.runId }?.tasks[0].status == .failed)
    #expect(!second.runs.contains { $0.runId == records[3].runId })
    #expect(second.runs.last?.runId == SyntheticRuns.record(9).runId)
  }

  func indexLines(_ directory: String) throws -> [Substring] {
    try String(contentsOfFile: "\(directory)/\(StatusIndex.fileName)", encoding: .utf8)
      .split(separator: "\n")
  }

  @Test func aNewRecordIsAppendedAndVanishedOnesRewriteTheIndex() throws {
    let directory = SyntheticRuns.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let records = (0..<4).map { SyntheticRuns.record($0) }
    try SyntheticRuns.write(records, to: directory)
    _ = load(directory)
    let before = try indexLines(directory)
    #expect(before.count == 5)

    try SyntheticRuns.write([SyntheticRuns.record(4)], to: directory)
    _ = load(directory)
    let after = try indexLines(directory)
    #expect(Array(after.prefix(5)) == before, "appended, not rewritten")
    #expect(after.count == 6)

    try FileManager.default.removeItem(atPath: "\(directory)/\(records[0].runId).json")
    #expect(load(directory).runs.count == 4)
    #expect(try indexLines(directory).count == 5, "rewritten without the vanished record")
  }

  @Test func onlySelectedRunsGetTheirTasksAndARewriteKeepsTheOthersWhole() throws {
    let directory = SyntheticRuns.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let records = (0..<6).map { SyntheticRuns.record($0) }
    try SyntheticRuns.write(records, to: directory)
    let full = load(directory)
    let later = Date().addingTimeInterval(60)

    let newest = StatusIndex.load(directory: directory, now: later, tasks: .newest(2))
    #expect(newest.runs.map(\.runId) == full.runs.map(\.runId))
    #expect(newest.runs.map(\.tasks.count) == [0, 0, 0, 0, 8, 8])
    let since = full.runs[1].startedAt
    let window = StatusIndex.load(directory: directory, now: later, tasks: .newest(0, since: since))
    #expect(window.runs.map(\.tasks.count) == [0, 8, 8, 8, 8, 8])

    // A vanished record rewrites the index from what was read, undecoded lines included.
    try FileManager.default.removeItem(atPath: "\(directory)/\(records[5].runId).json")
    #expect(StatusIndex.load(directory: directory, now: later, tasks: .newest(1)).runs.count == 5)
    #expect(try indexLines(directory).count == 6)
    #expect(load(directory).runs == Array(full.runs.prefix(5)))
  }

  @Test func tasksLeftOutOfAHeaderOnlyReadAreDecodedOnRequest() throws {
    let directory = SyntheticRuns.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try SyntheticRuns.write((0..<4).map { SyntheticRuns.record($0) }, to: directory)
    let full = load(directory)
    let headers = StatusIndex.load(
      directory: directory, now: Date().addingTimeInterval(60), tasks: .newest(0))
    #expect(headers.runs.allSatisfy { $0.tasks.isEmpty })

    let wanted = Set(full.runs.suffix(2).map(\.file))
    let tasks = IndexFile.tasks(of: wanted, in: headers.index)
    #expect(Set(tasks.keys) == wanted)
    for run in full.runs.suffix(2) { #expect(tasks[run.file] == run.tasks) }
    let history = BaselineHistory(runs: headers.runs.reversed(), index: headers.index)
    #expect(history.runs() == full.runs.reversed())
  }

  @Test func aRunsOwnFinalRecordIsIndexedAsItsFileReads() throws {
    let directory = SyntheticRuns.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    _ = load(directory)
    var record = SyntheticRuns.record(0)
    record.startedAt = Date(timeIntervalSince1970: 1_790_000_000.123_456)
    record.tasks[0].metrics = ["rows": 12.5]
    try SyntheticRuns.write([record], to: directory)
    StatusIndex.add(finalRecord: record, at: "\(directory)/\(record.runId).json")
    #expect(try indexLines(directory).count == 2)

    let indexed = load(directory)
    #expect(try indexLines(directory).count == 2, "the line was current: the file was not re-read")
    try FileManager.default.removeItem(atPath: "\(directory)/\(StatusIndex.fileName)")
    #expect(indexed.runs == load(directory).runs, "the same digest as decoding the file")
  }

  @Test func aTornLastLineIsSkippedAndRepaired() throws {
    let directory = SyntheticRuns.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try SyntheticRuns.write((0..<3).map { SyntheticRuns.record($0) }, to: directory)
    _ = load(directory)
    let handle = try #require(FileHandle(forWritingAtPath: "\(directory)/\(StatusIndex.fileName)"))
    handle.seekToEndOfFile()
    handle.write(Data("run_2026_half_a_line\t12".utf8))
    handle.closeFile()
    try SyntheticRuns.write([SyntheticRuns.record(3)], to: directory)
    #expect(load(directory).runs.count == 4)
    let lines = try indexLines(directory)
    #expect(lines.count == 5)
    #expect(!lines.contains { $0.hasPrefix("run_2026_half") })
  }

  @Test func countersWithAnyNamesSurviveTheIndex() throws {
    let directory = SyntheticRuns.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var record = SyntheticRuns.record(0)
    let counters = [
      "documents_loaded": 1500.0, "a=b,c": 2, "100%": 0.25, "tab\tand\nnewline": -3,
      "gène": 1e12,
    ]
    record.tasks[0].metrics = counters
    try SyntheticRuns.write([record], to: directory)
    let cold = load(directory)
    let warm = load(directory)
    #expect(cold.runs.first?.tasks[0].metrics == counters)
    #expect(warm.runs.first?.tasks[0].metrics == counters)
    #expect(warm.runs.first?.tasks[1].metrics == nil)
    #expect(try indexLines(directory).count == 2, "one line: nothing broke the format")
  }

  @Test func foreignAndBrokenFilesAreNamedNotFatal() throws {
    let directory = SyntheticRuns.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try SyntheticRuns.write([SyntheticRuns.record(0)], to: directory)
    try Data("{\"hello\": 1}".utf8).write(to: URL(fileURLWithPath: "\(directory)/foreign.json"))
    try Data("{\"schema_ver".utf8).write(to: URL(fileURLWithPath: "\(directory)/torn.json"))
    try Data().write(to: URL(fileURLWithPath: "\(directory)/empty.json"))

    for contents in [load(directory), load(directory)] {
      #expect(contents.runs.count == 1)
      #expect(
        contents.unreadable.map { ($0.path as NSString).lastPathComponent }.sorted() == [
          "empty.json", "foreign.json", "torn.json",
        ])
    }
  }

  /// A rerun that took two tasks over, had one left out by `when:`, and
  /// failed one of the two it ran.
  func rerunRecord() -> RunRecord {
    var record = SyntheticRuns.record(
      1, status: .partial,
      tasks: [
        ("a", .completed, 1), ("b", .completed, 1), ("c", .failed, 1), ("d", .notWanted, 0),
        ("e", .completed, 1),
      ])
    record.tasks[0].reusedFrom = SyntheticRuns.record(0).runId
    record.tasks[1].reusedFrom = SyntheticRuns.record(0).runId
    record.rerunOf = SyntheticRuns.record(0).runId
    record.environment = "prod"
    record.trigger = .manual
    return record
  }

  @Test func theIndexKeepsWhatTheListOfRunsShows() throws {
    let directory = SyntheticRuns.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let record = rerunRecord()
    try SyntheticRuns.write([SyntheticRuns.record(0), record], to: directory)
    let fromFiles = load(directory)
    let fromIndex = StatusIndex.load(
      directory: directory, now: Date().addingTimeInterval(60), tasks: .newest(0))
    #expect(try indexLines(directory).count == 3)
    let rerun = try #require(fromIndex.runs.last)
    #expect(rerun.rerunOf == SyntheticRuns.record(0).runId)
    #expect(rerun.tasksTotal == 4, "taken over counted, not wanted not")
    #expect(rerun.tasksFailed == 1)
    #expect(rerun.environment == "prod" && !rerun.scheduled)
    #expect(rerun.tasks.isEmpty, "a header-only read")
    #expect(fromFiles.runs.last?.tasks.map(\.name) == ["c", "d", "e"])
    var withTasks = rerun
    withTasks.tasks = fromFiles.runs.last?.tasks ?? []
    #expect(withTasks == fromFiles.runs.last)
  }

  @Test func anIndexOfAnOlderVersionIsRebuiltNotMisread() throws {
    let directory = SyntheticRuns.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let records = [SyntheticRuns.record(0), rerunRecord()]
    try SyntheticRuns.write(records, to: directory)
    _ = load(directory)
    // The same files, current stamps, as version 6 wrote them (no task
    // counts, no rerun_of) and with a status the files do not say.
    let index = "\(directory)/\(StatusIndex.fileName)"
    let lines = try indexLines(directory).dropFirst().map { line -> String in
      var fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      fields.removeSubrange(10..<13)
      fields[5] = "cancelled"
      return fields.joined(separator: "\t")
    }
    try (["orchestrate-status-index 6"] + lines).joined(separator: "\n").appending("\n").write(
      toFile: index, atomically: true, encoding: .utf8)
    let read = load(directory)
    #expect(read.runs.map(\.status) == [.completed, .partial])
    #expect(read.runs.last?.rerunOf == records[1].rerunOf)
    #expect(read.runs.last?.tasksTotal == 4)
    #expect(try indexLines(directory).first == Substring(StatusIndex.header))
    #expect(try indexLines(directory).count == 3)
  }

  @Test func aCorruptIndexIsRebuilt() throws {
    let directory = SyntheticRuns.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try SyntheticRuns.write((0..<3).map { SyntheticRuns.record($0) }, to: directory)
    _ = load(directory)
    let index = "\(directory)/\(StatusIndex.fileName)"
    let text = try String(contentsOfFile: index, encoding: .utf8)
    try (text.prefix(text.count / 2) + "\tgarbage\n\u{0}").write(
      toFile: index, atomically: true, encoding: .utf8)
    #expect(load(directory).runs.count == 3)
    try "something else entirely".write(toFile: index, atomically: true, encoding: .utf8)
    #expect(load(directory).runs.count == 3)
  }

  @Test func aNumberTooLargeForItsFieldIsDamageNotATrap() throws {
    let directory = SyntheticRuns.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try SyntheticRuns.write((0..<2).map { SyntheticRuns.record($0) }, to: directory)
    _ = load(directory)
    let index = "\(directory)/\(StatusIndex.fileName)"
    var lines = try String(contentsOfFile: index, encoding: .utf8).split(separator: "\n")
    // The field after the file name is its size; 2^63 is one past Int64.max.
    var fields = lines[1].split(separator: "\t", omittingEmptySubsequences: false)
    fields[1] = "9223372036854775808"
    lines[1] = Substring(fields.joined(separator: "\t"))
    try (lines.joined(separator: "\n") + "\n").write(
      toFile: index, atomically: true, encoding: .utf8)
    #expect(load(directory).runs.count == 2)
  }

  @Test func twentyThousandRunsAreCountedExactly() throws {
    let directory = SyntheticRuns.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    // One encoded record as a template keeps writing 20,000 files quick.
    let template = String(
      decoding: try RecordCoding.encoder().encode(SyntheticRuns.record(0)), as: UTF8.self)
    let originalId = SyntheticRuns.record(0).runId
    let now = SyntheticRuns.epoch.addingTimeInterval(20_000 * 3600)
    var expectedFailed = 0
    var expectedInWindow = 0
    for index in 0..<20_000 {
      let started = SyntheticRuns.epoch.addingTimeInterval(Double(index) * 3600)
      let id = RunID(startedAt: started, pid: 1000 + Int32(index)).text
      let failed = index % 7 == 0
      if failed { expectedFailed += 1 }
      if started >= now.addingTimeInterval(-7 * 86400) { expectedInWindow += 1 }
      let text = template.replacingOccurrences(of: originalId, with: id)
        .replacingOccurrences(
          of: "\"started_at\" : \"\(Timestamp.format(SyntheticRuns.epoch))\"",
          with: "\"started_at\" : \"\(Timestamp.format(started))\""
        )
        .replacingOccurrences(
          of: "\"status\" : \"completed\",\n  \"tasks\"",
          with: "\"status\" : \"\(failed ? "failed" : "completed")\",\n  \"tasks\"")
      try Data(text.utf8).write(to: URL(fileURLWithPath: "\(directory)/\(id).json"))
    }

    for pass in ["cold", "warm"] {
      let contents = StatusIndex.load(directory: directory, now: now)
      #expect(contents.runs.count == 20_000, "\(pass)")
      #expect(contents.unreadable.isEmpty, "\(pass)")
      #expect(contents.runs.filter { $0.status == .failed }.count == expectedFailed, "\(pass)")
      #expect(contents.runs.allSatisfy { $0.tasks.count == 8 }, "\(pass)")
      let status = PipelineAssessment(
        name: "p", runs: contents.runs, now: now, windowDays: 7, record: { _ in nil }
      ).assess()
      #expect(status.totalRuns == 20_000, "\(pass)")
      #expect(status.window.runs == expectedInWindow, "\(pass)")
      #expect(status.tasks.first?.runs == expectedInWindow, "\(pass)")
    }
  }
}
