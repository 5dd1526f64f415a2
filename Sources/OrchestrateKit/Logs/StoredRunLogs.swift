import Foundation

/// One run's logs as found under `logs/<pipeline>/`: its directory, its
/// archive, or both (when a rotation stopped after writing the archive and
/// before removing the directory).
public struct StoredRunLogs: Sendable, Equatable {
  public var pipeline: String
  /// The run id, or the directory's name when it is not one.
  public var name: String
  /// Absolute paths.
  public var directory: String?
  public var archive: String?
  /// From the run id; for other names, the modification time of the
  /// directory (or of the archive, which rotation gives the same time).
  public var startedAt: Date

  public var runID: RunID? { RunID(name) }
}

/// `logs/<pipeline>/`: the runs it holds, and temporary archives a stopped
/// rotation left behind.
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
    /// Absolute paths of `.<run>.tar.gz.tmp` files.
    public var temporaries: [String]
  }

  public func scan() -> Contents {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    var runs: [String: StoredRunLogs] = [:]
    var temporaries: [String] = []
    for name in names.sorted() {
      let full = "\(path)/\(name)"
      if LogArchive.isTemporary(fileName: name) {
        temporaries.append(full)
      } else if name.hasPrefix(".") {
        continue
      } else if Self.isDirectory(full) {
        runs[name, default: stored(name, at: full)].directory = full
      } else if let (run, _) = LogArchive.parse(fileName: name), runs[run]?.archive == nil {
        runs[run, default: stored(run, at: full)].archive = full
      }
    }
    let ordered = runs.values.sorted { ($0.startedAt, $0.name) < ($1.startedAt, $1.name) }
    return Contents(runs: ordered, temporaries: temporaries)
  }

  private func stored(_ name: String, at path: String) -> StoredRunLogs {
    StoredRunLogs(
      pipeline: pipeline, name: name, directory: nil, archive: nil,
      startedAt: RunID(name)?.startedAt ?? Self.modificationTime(path))
  }

  static func modificationTime(_ path: String) -> Date {
    var info = stat()
    guard stat(path, &info) == 0 else { return .distantPast }
    return Date(
      timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
  }

  static func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
  }
}
