/// Compares a finished run with its pipeline's history: a "green" run that
/// loaded 12 records instead of the usual 1,500, or took ten times as long,
/// is worth a look even though nothing failed.
public enum AnomalyDetector {
  /// - Parameter history: earlier runs of the same pipeline, newest first.
  public static func anomalies(
    in record: RunRecord, history: [RunDigest], thresholds: AnomalyThresholds
  ) -> [Anomaly] {
    var samples: [String: [RunDigest.TaskDigest]] = [:]
    for earlier in history {
      for task in earlier.tasks where task.status == .completed {
        if samples[task.name, default: []].count < thresholds.historyRuns {
          samples[task.name, default: []].append(task)
        }
      }
    }
    var found: [Anomaly] = []
    for task in record.tasks where task.status == .completed {
      let past = samples[task.name] ?? []
      guard past.count >= thresholds.minimumRuns else { continue }
      if let duration = task.durationSeconds,
        let median = median(past.compactMap(\.durationSeconds)),
        duration > median * thresholds.durationFactor,
        duration - median >= thresholds.minimumDurationExcess
      {
        found.append(
          Anomaly(task: task.name, field: "duration_seconds", value: duration, median: median))
      }
      for (counter, value) in (task.metrics ?? [:]).sorted(by: { $0.key < $1.key }) {
        let values = past.compactMap { $0.metrics?[counter] }
        guard values.count >= thresholds.minimumRuns, let median = median(values), median > 0,
          value < median * thresholds.counterLow || value > median * thresholds.counterHigh
        else { continue }
        found.append(Anomaly(task: task.name, field: counter, value: value, median: median))
      }
    }
    return found + totalAnomalies(in: record, history: history, thresholds: thresholds)
  }

  static func median(_ values: [Double]) -> Double? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
  }
}
