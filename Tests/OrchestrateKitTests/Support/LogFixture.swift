import Foundation
import TestSupport

@testable import OrchestrateExecution
@testable import OrchestrateStatus

/// A scratch root holding fake runs' log directories of chosen ages, and
/// the system tools that check archives from the outside.
final class LogFixture {
  let root: String
  let layout: RootLayout
  let pipeline = "p"

  init() {
    root = FileManager.default.temporaryDirectory.appendingPathComponent("logs-\(UUID())").path
    layout = RootLayout(root: root)
    try! FileManager.default.createDirectory(
      atPath: layout.logsDirectory(pipeline: pipeline), withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: root) }

  var logsDirectory: String { layout.logsDirectory(pipeline: pipeline) }

  /// The files every fake run holds: text logs, one spanning several
  /// blocks, an empty one, a nested one, and bytes that are not text.
  static let sampleFiles: [String: Data] = [
    "orchestrate.log": Data(LogText.lines(200, seed: 1).utf8),
    "extract[geo].log": Data(LogText.lines(3000, seed: 2).utf8),
    "transform.log": Data(),
    "extract[geo].1.progress.jsonl": Data("{\"done\": 1, \"total\": 2}\n".utf8),
    "notes/binary.dat": Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7) }),
  ]

  /// Makes `logs/p/<name>/` holding `files`; returns its path.
  @discardableResult
  func makeRun(_ name: String, files: [String: Data] = sampleFiles) -> String {
    let directory = "\(logsDirectory)/\(name)"
    for (relative, data) in files {
      let path = "\(directory)/\(relative)"
      try! FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      _ = FileManager.default.createFile(atPath: path, contents: data)
    }
    try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    return directory
  }

  /// Sets a path's modification time `days` days back.
  func age(_ path: String, daysAgo days: Double) {
    let time = Date().addingTimeInterval(-days * 86400).timeIntervalSince1970
    var times = [
      timeval(tv_sec: Int(time), tv_usec: 0), timeval(tv_sec: Int(time), tv_usec: 0),
    ]
    utimes(path, &times)
  }

  /// Names in `logs/p/`, sorted.
  func entries() -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: logsDirectory)) ?? []).sorted()
  }

  func exists(_ name: String) -> Bool {
    FileManager.default.fileExists(atPath: "\(logsDirectory)/\(name)")
  }

  func rotator(_ policy: LogPolicy = .standard) -> LogRotator {
    LogRotator(layout: layout, pipeline: pipeline, policy: policy)
  }

  /// Writes a metrics record for `run` saying it is running, by this
  /// (live) process unless `pid` says otherwise.
  func writeRunningRecord(_ run: String, pid: Int32? = nil) throws {
    let pipeline = try PipelineLoader.parse(
      Data("tasks: [{name: a, run: 'true'}]".utf8), file: "p.yaml", defaultName: self.pipeline)
    let id = RunID(run)!
    var record = PipelineRun.initialRecord(
      try Plan(pipeline: pipeline, sources: []), run: id, layout: layout,
      options: .init(layout: layout, trigger: .manual), startedAt: id.startedAt)
    if let pid {
      record.pid = pid
      record.processStartTicks = nil
    }
    try FileManager.default.createDirectory(
      atPath: layout.metricsDirectory(pipeline: self.pipeline), withIntermediateDirectories: true)
    try AtomicFile.write(
      RecordCoding.encoder().encode(record),
      to: layout.metricsFile(pipeline: self.pipeline, run: id))
  }
}

/// Deterministic log-like text: timestamps, levels, words, ids.
enum LogText {
  static func lines(_ count: Int, seed: UInt64) -> String {
    let words = ["record", "batch", "file", "written", "read", "skipped", "retry", "cache", "row"]
    var state = seed
    func next() -> UInt64 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return state >> 33
    }
    var text = ""
    for line in 0..<count {
      text += "2026-11-22T02:00:\(String(format: "%02d", line % 60)).\(next() % 1000)Z INFO "
      for _ in 0..<(3 + next() % 6) { text += words[Int(next() % UInt64(words.count))] + " " }
      text += "id=\(String(next(), radix: 16)) n=\(next() % 100_000) ü\n"
    }
    return text
  }
}

/// Whether the `zstd` program is there for `tar --zstd` to use.
let zstdProgramAvailable = (try? system(["zstd", "--version"]).status) == 0
