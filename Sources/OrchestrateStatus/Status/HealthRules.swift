import FoundationEssentials

/// What makes a pipeline WARNING or CRITICAL, in the Nagios sense. Each rule
/// adds a problem with its level; the pipeline takes the worst.
public enum HealthRules {
  /// A success rate is judged over at least this many finished runs.
  public static let minimumRunsForSuccessRate = 5

  public static func judge(_ status: PipelineStatus, now: Date) -> Health {
    guard status.totalRuns > 0 else {
      // A scheduled pipeline that never ran, once a run was owed: missed.
      if let missed = status.missed {
        return Health(problems: [.init(level: .critical, message: missedMessage(missed, status))])
      }
      return Health(problems: [.init(level: .unknown, message: "no runs recorded")])
    }
    var problems: [Health.Problem] = []
    func add(_ level: HealthLevel, _ message: String) {
      problems.append(.init(level: level, message: message))
    }
    let seconds = DurationDisplay.summary

    for run in status.running {
      if let since = run.pausedSince {
        let paused = now.timeIntervalSince(since)
        if paused > status.pausedAfterSeconds {
          add(
            .warning,
            "run \(run.runId) paused for \(seconds(paused)) "
              + "(paused after \(seconds(status.pausedAfterSeconds))): "
              + "orchestrate resume \(run.runId)")
        }
        continue  // paused, not stuck
      }
      if run.elapsedSeconds - (run.pausedSeconds ?? 0) > status.stuckAfterSeconds {
        add(
          .critical,
          "run \(run.runId) stuck: running for \(seconds(run.elapsedSeconds)) "
            + "(stuck after \(seconds(status.stuckAfterSeconds)))")
      }
      for task in run.tasks where task.stuck {
        add(
          .critical,
          "task \(task.name) stuck: running for \(seconds(task.elapsedSeconds)) "
            + "(stuck after \(seconds(task.stuckAfterSeconds)))")
      }
    }
    for run in status.abandoned {
      add(.critical, "run \(run.runId) abandoned: \(run.reason)")
    }

    if let last = status.lastRun, !status.abandoned.contains(where: { $0.runId == last.runId }) {
      let tasks = "\(last.notCompleted.count) of \(last.tasksTotal) tasks not completed"
      switch last.status {
      case .failed, .abandoned: add(.critical, "last run \(last.runId) \(last.status): \(tasks)")
      case .refused:
        add(.critical, "last run \(last.runId) refused: \(last.reason ?? "no reason recorded")")
      case .partial, .cancelled: add(.warning, "last run \(last.runId) \(last.status): \(tasks)")
      case .completed, .running: break
      }
    }
    for task in status.tasks where task.slow {
      add(
        .warning,
        "task \(task.name) took \(seconds(task.lastSeconds ?? 0)), "
          + "over \(Int(PipelineAssessment.slowFactor))× its p50 \(seconds(task.p50Seconds ?? 0))")
    }
    // Judged, like the success rate, only over enough runs: one retry in a
    // pipeline's first run is no pattern.
    for task in status.tasks
    where task.runs >= minimumRunsForSuccessRate && task.retried * 2 > task.runs {
      add(
        .warning,
        "task \(task.name) needed retries in \(task.retried) of its \(task.runs) runs "
          + "(\(percent(Double(task.retried) / Double(task.runs))))")
    }
    let window = status.window
    if window.finished >= minimumRunsForSuccessRate, let rate = window.successRate,
      rate < status.minSuccessRate
    {
      add(
        .warning,
        "success rate \(percent(rate)) (\(window.completed) of \(window.finished) runs in "
          + "\(window.days) days) is below min_success_rate \(percent(status.minSuccessRate))")
    }
    for anomaly in status.lastRun?.anomalies ?? [] {
      add(.warning, "anomaly \(anomaly.sentence)")
    }

    if let missed = status.missed { add(.critical, missedMessage(missed, status)) }
    problems += status.items?.problems ?? []

    if let message = staleMessage(status) {
      if status.running.contains(where: { !$0.stuck }) {
        add(.warning, message + "; a run is in progress")
      } else {
        add(.critical, message)
      }
    }
    return Health(problems: problems)
  }

  /// Why the last success is too old, when it is.
  static func staleMessage(_ status: PipelineStatus) -> String? {
    guard let maxAge = status.maxAgeSeconds else { return nil }
    let age = status.lastSuccess?.ageSeconds
    guard age.map({ $0 > maxAge }) ?? true else { return nil }
    let seconds = DurationDisplay.summary
    let since = age.map { "last successful run \(seconds($0)) ago" } ?? "never succeeded"
    return "no successful run within max_age \(seconds(maxAge)) (\(since))"
  }

  static func missedMessage(_ missed: ScheduleExpectation.MissedRun, _ status: PipelineStatus)
    -> String
  {
    let none = status.totalRuns == 0 ? "it has never run" : "none started since"
    return "missed run: due \(DueTime.format(missed.dueAt, zone: status.timezone)), \(none) "
      + "(\(DurationDisplay.summary(missed.lateSeconds)) late)"
  }

  static func percent(_ fraction: Double) -> String { "\(Int((fraction * 100).rounded()))%" }
}
