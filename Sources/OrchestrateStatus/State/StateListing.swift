import FoundationEssentials

/// `orchestrate state PIPELINE [TASK]`: the kept states of a pipeline's
/// tasks, each with its committed versions (which run made each one, when,
/// how large, which is current) and the changes recorded in its ledger.
/// Its JSON form is described by docs/state.schema.json.
public struct StateListing: Codable, Sendable, Equatable {
  public var schemaVersion = 1
  public var pipeline: String
  public var states: [TaskState]

  public struct TaskState: Codable, Sendable, Equatable {
    public var task: String
    /// The source, for a per-source task's state.
    public var source: String?
    /// The folder, relative to the root.
    public var directory: String
    /// The current version; nil when nothing was committed yet.
    public var current: String?
    /// Why `current` could not be read (a link that is not ours, a version gone).
    public var problem: String?
    /// Oldest first.
    public var versions: [Version]
    /// The ledger (`changes.log`), oldest first.
    public var changes: [StateChange]
  }

  public struct Version: Codable, Sendable, Equatable {
    /// The run that committed it (its run id names the version).
    public var version: String
    public var runStartedAt: Date?
    /// When its commit was recorded, from the ledger.
    public var committedAt: Date?
    public var sizeBytes: Int64
    public var files: Int
    public var current: Bool
  }

  public struct Problem: Error, CustomStringConvertible, Sendable {
    public var description: String
  }

  /// The states under `metrics/<pipeline>/state/`, those of `task` (and
  /// `source`) when given, by task then source name.
  public static func collect(
    layout: RootLayout, pipeline: String, task: String? = nil, source: String? = nil
  ) throws(Problem) -> StateListing {
    if let problem = Names.problem(with: pipeline) {
      throw Problem(description: "pipeline name '\(TerminalText.escaped(pipeline))' \(problem)")
    }
    guard StateStore.isDirectory(layout.metricsDirectory(pipeline: pipeline)) else {
      throw Problem(description: "no pipeline \(pipeline) under \(layout.metricsDirectory)/")
    }
    var states: [TaskState] = []
    for (taskName, sourceName, store) in StateStore.all(layout: layout, pipeline: pipeline) {
      if let task, task != taskName { continue }
      if let source, source != sourceName { continue }
      states.append(state(of: store, task: taskName, source: sourceName, layout: layout))
    }
    return StateListing(pipeline: pipeline, states: states)
  }

  private static func state(
    of store: StateStore, task: String, source: String?, layout: RootLayout
  ) -> TaskState {
    var current: String?
    var problem: String?
    do {
      current = try store.current()
    } catch {
      problem = error.description
    }
    let changes = StateLedger.read(store.ledgerFile)
    let versions = store.versions().map { name in
      let files = StateTree.files(in: store.versionDirectory(name))
      return Version(
        version: name, runStartedAt: RunID(name)?.startedAt,
        committedAt: changes.last { $0.action == .commit && $0.to == name }?.time,
        sizeBytes: files.reduce(0) { $0 + $1.sizeBytes },
        files: files.filter { $0.kind != "directory" }.count, current: name == current)
    }
    let relative = String(store.directory.dropFirst(layout.root.count + 1))
    return TaskState(
      task: task, source: source, directory: relative, current: current, problem: problem,
      versions: versions, changes: changes)
  }
}

/// `state PIPELINE TASK --show VERSION --json`: a version's files.
public struct StateFiles: Codable, Sendable, Equatable {
  public var schemaVersion = 1
  public var pipeline: String
  public var task: String
  public var source: String?
  public var version: String
  public var files: [File]

  public struct File: Codable, Sendable, Equatable {
    /// Relative to the version's folder.
    public var path: String
    /// `file`, `directory`, `link` or `other`.
    public var kind: String
    public var sizeBytes: Int64
  }

  public init(pipeline: String, task: String, source: String?, version: String, store: StateStore) {
    self.pipeline = pipeline
    self.task = task
    self.source = source
    self.version = version
    files = StateTree.files(in: store.versionDirectory(version)).map {
      File(path: $0.path, kind: $0.kind, sizeBytes: $0.sizeBytes)
    }
  }
}
