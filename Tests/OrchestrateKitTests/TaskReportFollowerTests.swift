import Foundation
import Testing

@testable import OrchestrateExecution
@testable import OrchestrateStatus

@Suite struct TaskReportFollowerTests {
  let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reports-\(UUID())")
    .path

  func follower() throws -> TaskReportFollower {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let follower = TaskReportFollower(
      progressPath: "\(directory)/p.jsonl", metricsPath: "\(directory)/m.jsonl",
      items: ItemReportReader(
        path: "\(directory)/i.jsonl", run: "run_20261122_020000_1", task: "t", attempt: 1))
    #expect(!follower.poll(), "no file yet is no report yet")
    for path in [follower.progressPath, follower.metricsPath] {
      FileManager.default.createFile(atPath: path, contents: nil)
    }
    return follower
  }

  func append(_ text: String, to path: String) throws {
    let handle = try #require(FileHandle(forWritingAtPath: path))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(text.utf8))
    try handle.close()
  }

  @Test func followsProgressPhasesAndCounters() throws {
    let reports = try follower()
    #expect(!reports.poll())
    try append(
      #"{"done": 1, "total": 4, "message": "one", "phase": "loading"}"# + "\n",
      to: reports.progressPath)
    try append(#"{"done": 2, "tot"#, to: reports.progressPath)
    #expect(reports.poll())
    #expect(reports.progress?.done == 1 && reports.progress?.percent == 25)
    try append(
      #"al": 4}"# + "\n" + #"{"phase": "chunking", "done": 0, "total": 10}"# + "\n",
      to: reports.progressPath)
    try append(
      #"{"documents_loaded": 150, "chunks": 1}"# + "\n" + #"{"chunks": 800, "name": "x"}"# + "\n",
      to: reports.metricsPath)
    #expect(reports.poll())
    #expect(reports.progress?.phase == "chunking")
    #expect(reports.phases.map(\.name) == ["loading", "chunking"])
    #expect(reports.phases[0].done == 2 && reports.phases[0].finishedAt != nil)
    #expect(reports.metrics == ["documents_loaded": 150, "chunks": 800])
    #expect(reports.malformedLines == 0)
  }

  @Test func malformedAndHugeLinesAreCountedOrDropped() throws {
    let reports = try follower()
    try append("not json\n[1, 2]\n{\"done\": 3}\n", to: reports.progressPath)
    reports.poll()
    #expect(reports.malformedLines == 2)
    #expect(reports.progress?.done == 3)
    try append(
      String(repeating: "x", count: 200_000) + "\n{\"rows\": 4}\n", to: reports.metricsPath)
    reports.poll()
    #expect(reports.malformedLines == 3)
    #expect(reports.metrics == ["rows": 4])
  }

  @Test func aHugeBacklogOfProgressIsSkippedToItsEnd() throws {
    let reports = try follower()
    var text = ""
    for index in 1...100_000 { text += "{\"done\": \(index), \"total\": 100000}\n" }
    try append(text, to: reports.progressPath)
    reports.poll()
    #expect(reports.progress?.done == 100_000)
    #expect(reports.malformedLines == 0)
  }
}
