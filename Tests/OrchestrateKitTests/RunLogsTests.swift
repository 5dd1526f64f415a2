import Foundation
import TestSupport
import Testing

@testable import OrchestrateExecution
@testable import OrchestrateStatus

@Suite struct RunLogsTests {
  /// Copies one file of a run through `RunLogs` into a scratch file.
  private func read(_ name: String, of run: StoredRunLogs, with logs: RunLogs) throws -> Data {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("read-\(UUID())").path
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    defer {
      close(fd)
      unlink(path)
    }
    try logs.copy(name, of: run, to: fd)
    return FileManager.default.contents(atPath: path) ?? Data()
  }

  @Test func plainAndArchivedRunsReadTheSame() throws {
    let fixture = LogFixture()
    let plain = RunID.daysAgo(1, pid: 1)
    let archived = RunID.daysAgo(10, pid: 2)
    fixture.makeRun(plain)
    try RunArchiver.archive(directory: fixture.makeRun(archived), compression: .gzip)
    let logs = RunLogs(layout: fixture.layout)
    for run in [plain, archived] {
      let stored = try logs.find(run: run)
      #expect((stored.archive != nil) == (run == archived))
      let files = try logs.files(of: stored)
      #expect(files.map(\.path).sorted() == LogFixture.sampleFiles.keys.sorted())
      #expect(
        try read("extract[geo]", of: stored, with: logs)
          == LogFixture.sampleFiles["extract[geo].log"])
      #expect(
        try read("notes/binary.dat", of: stored, with: logs)
          == LogFixture.sampleFiles["notes/binary.dat"])
      #expect(try read("transform.log", of: stored, with: logs).isEmpty)
    }
    #expect(try logs.newest(pipeline: nil).name == plain)
    #expect(try logs.newest(pipeline: "p").name == plain)
  }

  @Test func unknownNamesListWhatExists() throws {
    let fixture = LogFixture()
    let run = RunID.daysAgo(10)
    try RunArchiver.archive(directory: fixture.makeRun(run), compression: .gzip)
    let logs = RunLogs(layout: fixture.layout)
    #expect {
      try logs.find(run: "run_20000101_000000_1")
    } throws: {
      "\($0)"
        == "no run 'run_20000101_000000_1' in \(fixture.layout.logsDirectory) (newest: \(run))"
    }
    let stored = try logs.find(run: run)
    #expect {
      _ = try read("load", of: stored, with: logs)
    } throws: {
      let text = "\($0)"
      return text.hasPrefix("no log 'load' in \(run) (found: ") && text.contains("extract[geo]")
        && text.contains("orchestrate") && !text.contains("orchestrate.log")
    }
    #expect(throws: RunLogs.Failure.self) { try logs.newest(pipeline: "other") }
  }
}
