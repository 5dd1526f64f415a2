import FoundationEssentials

/// A task with `state:` works in a private copy of its committed state
/// ($ORCHESTRATE_STATE_DIR); the copy becomes the committed state only when
/// the task completes, and is thrown away otherwise.
extension Scheduler {
  func stateStore(for step: Plan.Step) -> StateStore? {
    TaskStates.store(
      for: step, pipeline: launcher.pipeline, layout: launcher.layout,
      othersMayWrite: plan.pipeline.files.othersMayWrite)
  }

  /// The attempt's copy of the state, made afresh; its path goes to the
  /// task as ORCHESTRATE_STATE_DIR. Records the version the task starts from.
  func prepareState(_ index: Int, attempt: Int) throws(StateError) -> String? {
    guard let store = stateStore(for: plan.steps[index]) else { return nil }
    let (path, from) = try store.prepare(run: launcher.run.text, attempt: attempt)
    if record.tasks[index].state == nil {
      record.tasks[index].state = TaskStateRecord(from: from)
    }
    return path
  }

  /// Commits the copy of an attempt that completed; the reason when it
  /// could not be (the task then counts as failed: its work is not kept).
  func commitState(_ index: Int, copy: String) -> String? {
    let step = plan.steps[index]
    guard let store = stateStore(for: step), let keep = step.task.state?.keep else { return nil }
    let version = launcher.run.text
    do {
      let (from, warning) = try store.commit(copy, as: version, keep: keep, user: record.user)
      record.tasks[index].state = TaskStateRecord(from: from, committed: version)
      events.log("\(step.name) state committed: \(version) (was \(from ?? "empty"))")
      if let warning { events.problem("\(step.name) state: \(warning)") }
      return nil
    } catch {
      store.discard(copy)
      return "state not committed: \(error)"
    }
  }

  /// Throws away the copy of an attempt that did not complete.
  func discardState(_ index: Int, copy: String?) {
    guard let copy, let store = stateStore(for: plan.steps[index]) else { return }
    store.discard(copy)
  }
}
