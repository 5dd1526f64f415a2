import FoundationEssentials
import Glibc

/// One run's logs as found under `logs/<pipeline>/`: its directory, its
/// archive, or both (when a rotation stopped after writing the archive and
/// before removing the directory).
public struct StoredRunLogs: Sendable, Equatable {
  public var pipeline: String
  /// The run id.
  public var name: String
  /// Absolute paths.
  public var directory: String?
  public var archive: String?
  /// From the run id.
  public var startedAt: Date

  public var runID: RunID? { RunID(name) }
}

/// `logs/<pipeline>/`: the runs it holds, temporary archives a stopped
/// rotation left behind, and whatever else people put there, which is
/// never touched.
public struct PipelineLogDirectory: Sendable {
  public let pipeline: String
  public let path: String

  public init(layout: RootLayout, pipeline: String) {
    self.pipeline = pipeline
    self.path = layout.logsDirectory(pipeline: pipeline)
  }

  /// Pipelines that have a log directory, by name.
  public static func pipelines(in layout: RootLayout) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: layout.logsDirectory)) ?? []
    return names.filter { !$0.hasPrefix(".") && isDirectory("\(layout.logsDirectory)/\($0)") }
      .sorted()
  }

  public struct Contents: Sendable {
    /// Oldest first.
    public var runs: [StoredRunLogs]
    /// Absolute paths of `.<run_id>.tar.gz.tmp` files.
    public var temporaries: [String]
    /// Names of entries orchestrate did not write (a directory's with a
    /// trailing `/`), sorted.
    public var foreign: [String]
  }

  /// Only names that are run ids are runs: a user's `scratch/` or README
  /// is theirs, whatever its age.
  public func scan() -> Contents {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    var runs: [String: StoredRunLogs] = [:]
    var temporaries: [String] = []
    var foreign: [String] = []
    for name in names.sorted() {
      let full = "\(path)/\(name)"
      let directory = Self.isDirectory(full)
      if let run = LogArchive.runOfTemporary(fileName: name), RunID(run) != nil, !directory {
        temporaries.append(full)
      } else if let run = RunID(name), directory {
        runs[name, default: stored(run)].directory = full
      } else if let (name, _) = LogArchive.parse(fileName: name), let run = RunID(name),
        !directory, runs[name]?.archive == nil
      {
        runs[name, default: stored(run)].archive = full
      } else {
        foreign.append(name + (directory ? "/" : ""))
      }
    }
    let ordered = runs.values.sorted { ($0.startedAt, $0.name) < ($1.startedAt, $1.name) }
    return Contents(runs: ordered, temporaries: temporaries, foreign: foreign)
  }

  private func stored(_ run: RunID) -> StoredRunLogs {
    StoredRunLogs(
      pipeline: pipeline, name: run.text, directory: nil, archive: nil, startedAt: run.startedAt)
  }

  static func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
  }
}
