import Foundation
import OrchestrateKit
import Testing

/// A scratch root directory for one test, and a marker that names every
/// process the test starts, so leftovers can be found and are always killed.
final class TestRoot {
  let path: String
  let marker = "orchestrate-test-\(UUID().uuidString.prefix(8))"

  init() {
    path =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("orchestrate-e2e-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit {
    for pid in processes() + tasksStillAlive() { kill(pid, SIGKILL) }
    try? FileManager.default.removeItem(atPath: path)
  }

  /// Writes a file under the root (directories created) and returns its path.
  @discardableResult
  func write(_ relative: String, _ contents: String) -> String {
    let file = "\(path)/\(relative)"
    try! FileManager.default.createDirectory(
      atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try! contents.write(toFile: file, atomically: true, encoding: .utf8)
    return file
  }

  func exists(_ relative: String) -> Bool {
    FileManager.default.fileExists(atPath: "\(path)/\(relative)")
  }

  func read(_ relative: String) -> String? {
    try? String(contentsOfFile: "\(path)/\(relative)", encoding: .utf8)
  }

  /// The run records of a pipeline, oldest first.
  func records(_ pipeline: String) throws -> [RunRecord] {
    let directory = "\(path)/metrics/\(pipeline)"
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return try names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted().map {
      try RecordCoding.decoder().decode(
        RunRecord.self, from: Data(contentsOf: URL(fileURLWithPath: "\(directory)/\($0)")))
    }
  }

  func onlyRecord(_ pipeline: String) throws -> RunRecord {
    let records = try records(pipeline)
    try #require(records.count == 1, "expected one record of \(pipeline), found \(records.count)")
    return records[0]
  }

  /// Waits until `relative` exists: the readiness handshake with a task.
  func waitFor(_ relative: String, timeout: Double = 30) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while !exists(relative) {
      try #require(Date() < deadline, "\(relative) did not appear within \(timeout)s")
      usleep(10_000)
    }
  }

  /// Live processes whose command line holds this test's marker.
  func processes() -> [pid_t] {
    Self.liveProcesses { pid in
      FileManager.default.contents(atPath: "/proc/\(pid)/cmdline").map {
        String(decoding: $0, as: UTF8.self).contains(marker)
      } ?? false
    }
  }

  /// Live processes started by any run under this root, found by the
  /// environment every task and its children inherit, whatever their
  /// command line or process group.
  func tasksStillAlive() -> [pid_t] {
    let variable = Array("ORCHESTRATE_ROOT=\(path)".utf8)
    return Self.liveProcesses { pid in
      FileManager.default.contents(atPath: "/proc/\(pid)/environ").map {
        $0.split(separator: 0).contains { $0.elementsEqual(variable) }
      } ?? false
    }
  }

  /// Processes other than this one, zombies left out, that `matches`.
  private static func liveProcesses(_ matches: (pid_t) -> Bool) -> [pid_t] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry in
      guard let pid = pid_t(entry), pid != getpid(), matches(pid),
        let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
        let end = stat.lastIndex(of: ")"),
        stat[stat.index(end, offsetBy: 2)] != "Z"
      else { return nil }
      return pid
    }
  }
}

extension RunRecord {
  func task(_ name: String) -> TaskRecord? { tasks.first { $0.name == name } }
}
