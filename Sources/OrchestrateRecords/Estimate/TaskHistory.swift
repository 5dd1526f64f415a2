import FoundationEssentials

/// How long a task and each of its phases usually take: medians over the
/// task's recent completed runs. What the ETA expects of the work not done yet.
public struct TaskHistory: Sendable, Equatable {
  /// p50 of the task's durations; nil without history.
  public var seconds: Double?
  /// p50 of each phase's durations, by phase name, over the completed runs
  /// that entered it.
  public var phaseSeconds: [String: Double]

  public init(seconds: Double? = nil, phaseSeconds: [String: Double] = [:]) {
    self.seconds = seconds
    self.phaseSeconds = phaseSeconds
  }

  /// From completed instances of one task, newest first: their durations
  /// and their phases as recorded.
  public init(durations: [Double], phases: [[PhaseRecord]]) {
    var byPhase: [String: [Double]] = [:]
    for run in phases {
      for phase in run where phase.status == .completed {
        if let seconds = phase.durationSeconds { byPhase[phase.name, default: []].append(seconds) }
      }
    }
    self.init(
      seconds: Percentile.of(durations, 50),
      phaseSeconds: byPhase.compactMapValues { Percentile.of($0, 50) })
  }
}

/// The task histories of a pipeline, from its recent completed runs.
public enum RecentHistory {
  /// How many of the newest completed instances of a task are looked at.
  public static let runs = 10

  /// `records`: newest first. Tasks a rerun took over are that run's
  /// history, counted there.
  public static func tasks(of records: [RunRecord]) -> [String: TaskHistory] {
    var durations: [String: [Double]] = [:]
    var phases: [String: [[PhaseRecord]]] = [:]
    for record in records where record.status != .running {
      for task in record.tasks where task.status == .completed && task.reusedFrom == nil {
        guard let seconds = task.durationSeconds, durations[task.name, default: []].count < runs
        else { continue }
        durations[task.name, default: []].append(seconds)
        phases[task.name, default: []].append(task.phases ?? [])
      }
    }
    return durations.reduce(into: [:]) { result, entry in
      result[entry.key] = TaskHistory(durations: entry.value, phases: phases[entry.key] ?? [])
    }
  }
}
