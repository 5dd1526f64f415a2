import FoundationEssentials

/// The phases of one attempt of a task as it reports them: a pure state
/// machine, so that its transitions are tested without a process.
///
/// Declared phases start `pending`. Entering a phase ends the running one
/// (`completed`); declared phases before the one entered that were never
/// entered become `skipped`. A phase not declared is appended. When the
/// task ends, the running phase becomes `completed`, or `failed` with the
/// output's tail when the task did not complete; phases never entered
/// become `skipped`.
public struct PhaseTracker: Sendable, Equatable {
  public private(set) var phases: [PhaseRecord]
  /// How many of `phases` were declared (they come first).
  public let declaredCount: Int
  private var current: Int?

  /// Phases kept at most: a task reporting a new phase name per line must
  /// not grow the record without bound.
  public static let maximumPhases = 100

  /// `declared`: the task's phases in the pipeline's order; each is
  /// recorded with its share of the task.
  public init(declared: [DeclaredPhase]) {
    phases = zip(declared, declared.shares).prefix(Self.maximumPhases).map {
      PhaseRecord(name: $0.name, status: .pending, weight: $1)
    }
    declaredCount = phases.count
  }

  /// The phase running now, if any.
  public var currentPhase: PhaseRecord? { current.map { phases[$0] } }

  /// The task reported `name` (the same phase again: only its counts change).
  public mutating func enter(_ name: String, at date: Date) {
    if let current, phases[current].name == name { return }
    if let current {
      phases[current].status = .completed
      phases[current].finishedAt = date
    }
    if let found = phases.firstIndex(where: { $0.name == name }) {
      // Declared phases passed over were not needed this time.
      if found < declaredCount {
        for earlier in 0..<found where phases[earlier].status == .pending {
          phases[earlier].status = .skipped
        }
      }
      phases[found].status = .running
      phases[found].startedAt = phases[found].startedAt ?? date
      phases[found].finishedAt = nil
      current = found
    } else if phases.count < Self.maximumPhases {
      phases.append(PhaseRecord(name: name, status: .running, startedAt: date))
      current = phases.count - 1
    } else {
      current = nil
    }
  }

  /// Items done of total in the running phase.
  public mutating func count(done: Double?, total: Double?) {
    guard let current else { return }
    phases[current].done = done ?? phases[current].done
    phases[current].total = total ?? phases[current].total
  }

  /// The task's process is gone: `completed` tells whether the task
  /// completed; `error` is the end of its output when it did not.
  public mutating func finish(at date: Date, completed: Bool, error: String?) {
    if let current {
      phases[current].finishedAt = date
      phases[current].status = completed ? .completed : .failed
      if !completed { phases[current].error = error }
    }
    current = nil
    phases.settleUnentered()
  }
}

extension [PhaseRecord] {
  /// A task that has ended never enters the phases it had not entered.
  package mutating func settleUnentered() {
    for index in indices where self[index].status == .pending {
      self[index].status = .skipped
    }
  }
}
