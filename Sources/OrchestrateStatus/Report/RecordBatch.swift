import Dispatch
import FoundationEssentials

/// Run records read and decoded on every core: a pipeline page shows its
/// newest runs in full, and decoding a record is most of what reading it
/// costs.
enum RecordBatch {
  /// The records at `paths`, in their order; nil where a file is not a readable record.
  static func read(_ paths: [String]) -> [RunRecord?] {
    let results = Results(count: paths.count)
    DispatchQueue.concurrentPerform(iterations: paths.count) { index in
      results.set(index, RecordCoding.readRecord(at: paths[index]))
    }
    return results.values
  }

  private final class Results: @unchecked Sendable {
    private let lock = Lock()
    private var stored: [RunRecord?]

    init(count: Int) {
      stored = Array(repeating: nil, count: count)
    }

    var values: [RunRecord?] { lock.withLock { stored } }

    func set(_ index: Int, _ record: RunRecord?) {
      lock.withLock { stored[index] = record }
    }
  }
}
