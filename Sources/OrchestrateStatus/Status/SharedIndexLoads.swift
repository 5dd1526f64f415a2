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
    Self.narrowed(loaded(directory), to: selection)
  }

  /// The newest `count` runs, oldest first, with the task digests
  /// `selection` asks for, and how many runs there are: a page that shows
  /// the last few runs need not copy years of them. `environment`: only the
  /// runs of one environment (`.some(nil)`: those without one).
  func newest(
    _ count: Int, directory: String, tasks selection: IndexFile.TaskSelection,
    environment: String?? = .none
  ) -> (runs: [RunDigest], total: Int) {
    let all = loaded(directory).runs
    var runs: [RunDigest]
    let total: Int
    if case .some(let environment) = environment {
      // One walk from the newest: every match counted, the newest kept,
      // and nothing copied but those.
      runs = []
      var matching = 0
      for run in all.reversed() where run.environment == environment {
        matching += 1
        if runs.count < count { runs.append(run) }
      }
      runs.reverse()
      total = matching
    } else {
      runs = Array(all.suffix(count))
      total = all.count
    }
    Self.narrow(&runs, from: total - runs.count, of: total, to: selection)
    return (runs, total)
  }

  /// `contents` stand for a load of `directory` from now on: they must be
  /// current and hold task digests for `widest`.
  func reuse(_ contents: StatusIndex.Contents, directory: String) {
    lock.withLock { loaded[directory] = contents }
  }

  private func loaded(_ directory: String) -> StatusIndex.Contents {
    lock.withLock {
      if let known = loaded[directory] { return known }
      let fresh = StatusIndex.load(directory: directory, now: now, tasks: widest)
      loaded[directory] = fresh
      return fresh
    }
  }

  /// Task digests only for the runs `selection` names (runs are oldest first).
  static func narrowed(_ contents: StatusIndex.Contents, to selection: IndexFile.TaskSelection)
    -> StatusIndex.Contents
  {
    var narrowed = contents
    narrow(&narrowed.runs, from: 0, of: narrowed.runs.count, to: selection)
    return narrowed
  }

  /// `runs` are the newest of `total` runs, the first of them at `first`.
  private static func narrow(
    _ runs: inout [RunDigest], from first: Int, of total: Int,
    to selection: IndexFile.TaskSelection
  ) {
    guard case .newest(let count, let since) = selection else { return }
    let keepFrom = total - count
    // Only runs that have task digests are touched: the copy of years of
    // runs a write would make is left to readers that need one.
    for index in runs.indices
    where first + index < keepFrom && runs[index].startedAt < since
      && !runs[index].tasks.isEmpty
    {
      runs[index].tasks = []
    }
  }
}
