import Dispatch
import FoundationEssentials

/// The earlier runs a run is compared with when it ends, their task digests
/// decoded from the status index on another thread while the run goes on:
/// for a pipeline of hundreds of tasks that is most of the work of starting
/// a run, and nothing needs it before the end.
///
/// The same thread then reads the newest finished records for how long each
/// task and each of its phases usually takes: what the live view's ETA
/// expects of the work left.
final class BaselineHistory: @unchecked Sendable {
  private let decoded = DispatchGroup()
  private var result: [RunDigest] = []
  private let lock = Lock()
  private var tasks: [String: TaskHistory]?

  /// `runs`: newest first, as a header-only index read gives them (runs read
  /// from their own files already have their tasks); `index`: that read's
  /// text; `directory`: where their records are, for the ETA's history.
  init(runs: some Sequence<RunDigest>, index: Data, directory: String? = nil) {
    let runs = Array(runs)
    let missing = Set(runs.filter(\.tasks.isEmpty).map(\.file))
    DispatchQueue.global().async(group: decoded) { [self] in
      let tasks = IndexFile.tasks(of: missing, in: index)
      result = runs.map { run in
        var run = run
        if run.tasks.isEmpty { run.tasks = tasks[run.file] ?? [] }
        return run
      }
    }
    guard let directory else { return }
    DispatchQueue.global().async { [self] in
      decoded.wait()
      let histories = Self.taskHistories(result, directory: directory)
      lock.withLock { self.tasks = histories }
    }
  }

  /// Waits for the decoding if it is still going on.
  func runs() -> [RunDigest] {
    decoded.wait()
    return result
  }

  /// Usual durations of tasks and phases; nil until they have been read
  /// (the live view never waits for them).
  func taskHistories() -> [String: TaskHistory]? {
    lock.withLock { tasks }
  }

  /// Phases from the newest finished records; task durations from the
  /// digests, over more runs.
  static func taskHistories(_ runs: [RunDigest], directory: String) -> [String: TaskHistory] {
    let recent = runs.lazy.filter { $0.status != .running }.prefix(RecentHistory.runs)
      .compactMap { RecordCoding.readRecord(at: "\(directory)/\($0.file)") }
    var histories = RecentHistory.tasks(of: Array(recent))
    var durations: [String: [Double]] = [:]
    for run in runs where run.status != .running {
      for task in run.tasks where task.status == .completed {
        if let seconds = task.durationSeconds { durations[task.name, default: []].append(seconds) }
      }
    }
    for (name, seconds) in durations {
      histories[name, default: TaskHistory()].seconds = Percentile.of(seconds, 50)
    }
    return histories
  }
}
