import Foundation
import OrchestrateKit

/// Fake earlier runs under `logs/<pipeline>/`, aged through their run ids.
extension TestRoot {
  /// Writes `logs/<pipeline>/<run>/<name>` for each file; returns the run directory.
  @discardableResult
  func makeRunLogs(_ pipeline: String, _ run: String, files: [String: String]? = nil) -> String {
    let files =
      files ?? [
        "orchestrate.log": "2026-11-22T02:00:00.000Z run \(run) of \(pipeline) started\n",
        "extract[geo].log": Self.logText(lines: 4000, tag: run),
      ]
    for (name, contents) in files { write("logs/\(pipeline)/\(run)/\(name)", contents) }
    return "\(path)/logs/\(pipeline)/\(run)"
  }

  /// Log-like lines (several 64 KiB blocks' worth at a few thousand lines).
  static func logText(lines: Int, tag: String) -> String {
    (0..<lines).map {
      "2026-11-22T02:00:\(String(format: "%02d", $0 % 60)).000Z INFO \(tag) fetched record "
        + "\($0 &* 7919 % 100_000) of 100000 — batch \($0 / 50)\n"
    }.joined()
  }

  /// Names in `logs/<pipeline>/`, sorted.
  func logEntries(_ pipeline: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: "\(path)/logs/\(pipeline)")) ?? [])
      .sorted()
  }
}
