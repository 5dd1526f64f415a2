/// Totals far from their usual sum: three sources that each load a bit less,
/// or one that stops reporting, leave every instance within its own bounds
/// (or unjudged) while the pipeline's `records` collapses.
extension AnomalyDetector {
  /// The totals of the counters named in `thresholds.totals`, each compared
  /// with the same task's total in the last completed runs of the whole
  /// pipeline (at least `minimumRuns`, at most `historyRuns` of them).
  ///
  /// A task is judged when it runs per source and at least one of its
  /// instances completed; an
  /// instance that failed or reported nothing adds nothing, which is the
  /// collapse this is for. A run of some sources only (`--source`) has
  /// totals of those only and is not judged; runs that were not completed,
  /// of some sources, or reruns (whose digests leave out the tasks they took
  /// over) are no baseline.
  static func totalAnomalies(
    in record: RunRecord, history: [RunDigest], thresholds: AnomalyThresholds
  ) -> [Anomaly] {
    guard !thresholds.totals.isEmpty, record.sourceFilter.isEmpty else { return [] }
    var samples: [TotalKey: [Double]] = [:]
    for earlier in history
    where earlier.status == .completed && !earlier.sourceFiltered && earlier.rerunOf == nil {
      for (task, counters) in earlier.counterTotals {
        for (counter, total) in counters where thresholds.totals[counter] != nil {
          let key = TotalKey(task: task, counter: counter)
          if samples[key, default: []].count < thresholds.historyRuns {
            samples[key, default: []].append(total)
          }
        }
      }
    }
    // A task that runs once has a total equal to its counter, judged
    // already by `counter_low` and `counter_high`: flagging it again as a
    // total would say the same thing twice.
    let judged = Set(
      record.tasks.filter { $0.status == .completed && $0.source != nil }.map(\.task))
    let current = CounterTotal.totals(of: record.tasks) ?? [:]
    var found: [Anomaly] = []
    for task in judged.sorted() {
      for (counter, bounds) in thresholds.totals.sorted(by: { $0.key < $1.key }) {
        let past = samples[TotalKey(task: task, counter: counter)] ?? []
        guard past.count >= thresholds.minimumRuns, let median = median(past), median > 0 else {
          continue
        }
        let value = current[task]?[counter]?.total ?? 0
        guard value < median * bounds.low || value > median * bounds.high else { continue }
        found.append(
          Anomaly(task: task, field: counter, value: value, median: median, scope: .total))
      }
    }
    return found
  }

  struct TotalKey: Hashable {
    var task: String
    var counter: String
  }
}
