import FoundationEssentials
import Glibc

/// Where a root directory keeps things:
/// `metrics/<pipeline>/<run_id>.json` and `logs/<pipeline>/<run_id>/<task>.log`.
public struct RootLayout: Sendable {
  /// Absolute path of the root directory.
  public let root: String

  public init(root: String) {
    self.root = URL(fileURLWithPath: root).standardizedFileURL.path
  }

  /// The root of a command that names no pipeline file (`rotate`, `logs`):
  /// `--root`, else `$ORCHESTRATE_ROOT`, else the current directory.
  public static func resolve(
    rootOption: String?, environment: [String: String],
    currentDirectory: String = FileManager.default.currentDirectoryPath
  ) -> RootLayout {
    let chosen = [rootOption, environment["ORCHESTRATE_ROOT"]].compactMap { $0 }
      .first { !$0.isEmpty }
    guard let chosen else { return RootLayout(root: currentDirectory) }
    return RootLayout(root: chosen.hasPrefix("/") ? chosen : "\(currentDirectory)/\(chosen)")
  }

  public var metricsDirectory: String { root + "/metrics" }
  public var logsDirectory: String { root + "/logs" }

  /// The pipelines that have run: the folders in `metrics/`, sorted.
  package func pipelinesWithRecords() -> [String] {
    let directory = metricsDirectory
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.filter { name in
      var info = stat()
      return !name.hasPrefix(".") && stat("\(directory)/\(name)", &info) == 0
        && info.st_mode & S_IFMT == S_IFDIR
    }.sorted()
  }

  public func metricsDirectory(pipeline: String) -> String { "\(metricsDirectory)/\(pipeline)" }
  public func metricsFile(pipeline: String, run: RunID) -> String {
    "\(metricsDirectory(pipeline: pipeline))/\(run.text).json"
  }
  /// The pipeline's item ledger: segments of events, their indexes, the snapshot.
  public func itemsDirectory(pipeline: String) -> String {
    "\(metricsDirectory(pipeline: pipeline))/items"
  }
  public func lockFile(pipeline: String) -> String {
    "\(metricsDirectory(pipeline: pipeline))/.lock"
  }

  /// Tasks' kept states: `metrics/<pipeline>/state/<task>[/<source>]`.
  public func stateDirectory(pipeline: String) -> String {
    "\(metricsDirectory(pipeline: pipeline))/state"
  }
  public func stateDirectory(pipeline: String, task: String, source: String?) -> String {
    "\(stateDirectory(pipeline: pipeline))/\(task)" + (source.map { "/\($0)" } ?? "")
  }

  public func logsDirectory(pipeline: String) -> String { "\(logsDirectory)/\(pipeline)" }
  public func runLogDirectory(pipeline: String, run: RunID) -> String {
    "\(logsDirectory(pipeline: pipeline))/\(run.text)"
  }
  /// Relative to the root, as the run record stores it.
  /// Relative to the root, as the run record stores it: the first
  /// attempt's output in `<task>.log`, a retry's in `<task>.attempt-N.log`.
  public func taskLogPath(pipeline: String, run: RunID, task: String, attempt: Int = 1) -> String {
    "logs/\(pipeline)/\(run.text)/\(Self.taskLogName(task, attempt: attempt))"
  }

  public static func taskLogName(_ task: String, attempt: Int) -> String {
    attempt == 1 ? "\(task).log" : "\(task).attempt-\(attempt).log"
  }
  public func orchestratorLog(pipeline: String, run: RunID) -> String {
    "\(runLogDirectory(pipeline: pipeline, run: run))/orchestrate.log"
  }

  public func absolute(_ relative: String) -> String {
    relative.hasPrefix("/") ? relative : "\(root)/\(relative)"
  }
}
