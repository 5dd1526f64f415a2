/// One counter of one task summed over the task's instances: a
/// `for_each_source` task runs once per source, and `records 4,800` is what
/// an operator asks about, with each source's share beside it.
public struct CounterTotal: Codable, Sendable, Equatable {
  public var total: Double
  /// Each source's value; absent for a task that runs without a source.
  public var bySource: [String: Double]?

  public init(total: Double, bySource: [String: Double]? = nil) {
    self.total = total
    self.bySource = bySource
  }
}

/// A run's totals: task name in the pipeline file (`TaskRecord.task`), then
/// counter name.
public typealias CounterTotals = [String: [String: CounterTotal]]

extension CounterTotal {
  /// The totals of `tasks`' counters, per task of the pipeline file and
  /// counter name; nil when no task reported a counter, so that a record
  /// without counters stays as it was.
  ///
  /// Instances are summed only within their task: two tasks that both count
  /// `records` (a fetch and a parse of the same records) would count them
  /// twice. Every instance that reported the counter adds to it, whatever
  /// its status, as its own `metrics` show; one that did not report it adds
  /// nothing. A sum too large for a number is left out rather than written
  /// as infinity.
  public static func totals(of tasks: [TaskRecord]) -> CounterTotals? {
    var totals: CounterTotals = [:]
    for task in tasks {
      for (name, value) in task.metrics ?? [:] where value.isFinite {
        var entry = totals[task.task, default: [:]][name] ?? CounterTotal(total: 0)
        entry.total += value
        if let source = task.source {
          var shares = entry.bySource ?? [:]
          shares[source, default: 0] += value
          entry.bySource = shares
        }
        totals[task.task, default: [:]][name] = entry
      }
    }
    for (task, counters) in totals {
      let finite = counters.filter { $0.value.total.isFinite }
      totals[task] = finite.isEmpty ? nil : finite
    }
    return totals.isEmpty ? nil : totals
  }
}

extension CounterTotal {
  /// `records 4,800 (biosample 2,080, geo 1,360, sra 1,360)`: how messages
  /// and pages put a total, sources in alphabetical order so that every run
  /// of a pipeline lists them alike.
  public func text(counter: String) -> String {
    var text = "\(counter) \(CounterDisplay.format(total))"
    if let bySource, !bySource.isEmpty {
      text +=
        " ("
        + bySource.sorted { $0.key < $1.key }.map { "\($0.key) \(CounterDisplay.format($0.value))" }
        .joined(separator: ", ") + ")"
    }
    return text
  }

  /// `extract: records 4,800 (…)`, one line per task and counter, sorted by
  /// task then counter.
  public static func lines(_ totals: CounterTotals?) -> [String] {
    (totals ?? [:]).sorted { $0.key < $1.key }.flatMap { task, counters in
      counters.sorted { $0.key < $1.key }.map { "\(task): \($0.value.text(counter: $0.key))" }
    }
  }
}
