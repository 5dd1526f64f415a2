import FoundationEssentials

/// Loads of the status index shared by the readers of one moment: the
/// report's overview, its status judgement and a pipeline's page each ask
/// for a pipeline's runs, and each load lists (and stats) every record of
/// the pipeline. Here a directory is loaded once, with task digests for
/// `widest`, and each reader gets the task digests its own selection asks
/// for, as its own load would have given them.
final class SharedIndexLoads: @unchecked Sendable {
  private let widest: IndexFile.TaskSelection
  private let now: Date
  private let lock = Lock()
  private var loaded: [String: StatusIndex.Contents] = [:]

  /// `widest` must cover every selection asked for later.
  init(widest: IndexFile.TaskSelection, now: Date) {
    self.widest = widest
    self.now = now
  }

  func load(directory: String, tasks selection: IndexFile.TaskSelection) -> StatusIndex.Contents {
    let contents = lock.withLock {
      if let known = loaded[directory] { return known }
      let fresh = StatusIndex.load(directory: directory, now: now, tasks: widest)
      loaded[directory] = fresh
      return fresh
    }
    return Self.narrowed(contents, to: selection)
  }

  /// `contents` stand for a load of `directory` from now on: they must be
  /// current and hold task digests for `widest`.
  func reuse(_ contents: StatusIndex.Contents, directory: String) {
    lock.withLock { loaded[directory] = contents }
  }

  /// Task digests only for the runs `selection` names (runs are oldest first).
  static func narrowed(_ contents: StatusIndex.Contents, to selection: IndexFile.TaskSelection)
    -> StatusIndex.Contents
  {
    guard case .newest(let count, let since) = selection else { return contents }
    var narrowed = contents
    let keepFrom = narrowed.runs.count - count
    for index in narrowed.runs.indices
    where index < keepFrom && narrowed.runs[index].startedAt < since {
      narrowed.runs[index].tasks = []
    }
    return narrowed
  }
}
