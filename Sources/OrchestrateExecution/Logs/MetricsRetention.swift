import FoundationEssentials

/// Which run records `metrics: {delete_after: …}` lets rotation delete:
/// finished runs older than the limit, whose file name is their run id,
/// except the newest completed run (what "last success" and the anomaly
/// baselines stand on) and the run doing the rotating. A record that
/// still says `running` is never due, whether its orchestrator is alive or
/// not yet found abandoned.
enum MetricsRetention {
  static func expired(
    _ runs: [RunDigest], deleteAfter: Duration, now: Date, currentRun: String?
  ) -> [RunDigest] {
    let newestCompleted = runs.filter { $0.status == .completed }.max {
      ($0.startedAt, $0.runId) < ($1.startedAt, $1.runId)
    }
    let limit = now.timeIntervalSince1970 - deleteAfter.seconds
    return runs.filter { run in
      run.status != .running && run.startedAt <= limit && run.runId != currentRun
        && run.runId != newestCompleted?.runId && run.file == "\(run.runId).json"
        && RunID(run.runId) != nil
    }
    .sorted { ($0.startedAt, $0.runId) < ($1.startedAt, $1.runId) }
  }
}
