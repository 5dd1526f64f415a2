import Dispatch
import FoundationEssentials

/// The earlier runs a run is compared with when it ends, their task digests
/// decoded from the status index on another thread while the run goes on:
/// for a pipeline of hundreds of tasks that is most of the work of starting
/// a run, and nothing needs it before the end.
final class BaselineHistory: @unchecked Sendable {
  private let decoded = DispatchGroup()
  private var result: [RunDigest] = []

  /// `runs`: newest first, as a header-only index read gives them (runs read
  /// from their own files already have their tasks); `index`: that read's text.
  init(runs: some Sequence<RunDigest>, index: Data) {
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
  }

  /// Waits for the decoding if it is still going on.
  func runs() -> [RunDigest] {
    decoded.wait()
    return result
  }
}
