import FoundationEssentials

/// The kept states of a run's tasks: which store a step's state lives in,
/// and the clean-up a run makes under its lock before its first task.
enum TaskStates {
  /// The store of a step with `state:`; one per source for a per-source task.
  static func store(
    for step: Plan.Step, pipeline: String, layout: RootLayout, othersMayWrite: Bool
  ) -> StateStore? {
    guard step.task.state != nil else { return nil }
    let source = step.task.sourceScope == .eachSource ? step.source : nil
    return StateStore(
      layout: layout, pipeline: pipeline, task: step.task.name, source: source,
      othersMayWrite: othersMayWrite)
  }

  /// Removes the copies and half-made links an earlier run left (it was
  /// killed, or its machine stopped): no run holds the lock but this one,
  /// so no attempt is using them. Every state of the pipeline, not only
  /// those of this run's tasks: a run of one source must not leave
  /// another's leftovers for later.
  static func recover(_ plan: Plan, layout: RootLayout, events: EventLog) {
    for (_, _, store) in StateStore.all(layout: layout, pipeline: plan.pipeline.name) {
      for path in store.recover() {
        events.log("removed \(path), left by an attempt that did not finish")
      }
    }
  }
}
