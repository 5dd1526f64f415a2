import FoundationEssentials

/// The item ledger as a run sees it: an attempt's events are committed when
/// the attempt ends, after the journal says it ended, so that a dead run's
/// ledger and its settled record agree (ItemRecovery); a task with
/// `backpressure:` is left out while the backlog before its stage is too long.
extension Scheduler {
  /// Commits what the attempt reported; the journal's line for its end is
  /// written first.
  func commitItems(of attempt: RunningAttempt, index: Int, number: Int) {
    let items = attempt.reports.items
    items.drain()
    guard !items.events.isEmpty else { return }
    journal.flush()
    if let problem = itemWriter.commit(items.events, task: plan.steps[index].name, attempt: number)
    {
      events.problem("items of \(plan.steps[index].name) not recorded: \(problem)")
    }
  }

  /// Why the step must not start now, when its backlog is above its bound.
  func backpressureReason(_ step: Plan.Step) -> String? {
    guard let bound = step.task.backpressure,
      let before = plan.pipeline.items.stage(before: bound.stage)
    else { return nil }
    let ledger = ItemLedger(layout: launcher.layout, pipeline: plan.pipeline.name)
    guard ledger.exists else { return nil }
    let backlog: Int
    do {
      backlog = try ledger.load().summary.latestDone[before] ?? 0
    } catch {
      events.problem("\(step.name): backpressure not judged: \(error)")
      return nil
    }
    guard backlog > bound.maxBacklog else { return nil }
    return "backlog before \(bound.stage) is \(backlog) > \(bound.maxBacklog)"
  }
}
