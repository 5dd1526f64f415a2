import FoundationEssentials

/// `orchestrate rerun`: a plan that takes over what completed in an earlier
/// run and runs the rest. Tasks are matched by name, so the pipeline file
/// may have changed since (often the fix is in it).
extension Plan {
  /// Marks the steps whose outcome is taken over from `original`: those that
  /// completed there, unless selected to run again. Without `selection`,
  /// every step that did not complete there (or is new) runs again, with
  /// everything downstream of it; with one, the selected steps run (and
  /// what depends on them, with `downstream`). Tasks `when:` leaves out stay
  /// skipped. Tasks of the original that are no longer in the pipeline are
  /// dropped with a warning.
  public mutating func reuse(from original: RunRecord, rerunning selection: TaskSelection?)
    throws(Problem)
  {
    rerunOf = (original.runId, original.pipelineSha256)
    let before = Dictionary(original.tasks.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
    let dependents = dependentsOfEachStep()
    var again: Set<Int>
    if let selection {
      again = []
      for name in selection.names {
        let matching = steps.indices.filter {
          steps[$0].name == name || steps[$0].task.name == name
        }
        guard !matching.isEmpty else {
          throw .unknownTask(name, guess: taskGuess(for: name))
        }
        again.formUnion(matching)
      }
      if selection.downstream { again = closure(of: again, along: { dependents[$0] }) }
    } else {
      again = Set(steps.indices.filter { before[steps[$0].name]?.status != .completed })
      again = closure(of: again, along: { dependents[$0] })
    }
    for index in steps.indices where again.contains(index) {
      steps[index].resumePhase = before[steps[index].name]?.phases?.failed?.name
    }
    for index in steps.indices where !again.contains(index) && steps[index].unwanted == nil {
      guard var task = before[steps[index].name], task.status == .completed else { continue }
      // The run that really ran it: its logs and timings are there.
      task.reusedFrom = task.reusedFrom ?? original.runId
      task.dependsOn = steps[index].dependencies.map { steps[$0].name }
      steps[index].reused = task
    }
    let current = Set(steps.map(\.name))
    for name in original.tasks.map(\.name) where !current.contains(name) {
      settings.warnings.append(
        "task \(name) of \(original.runId) is no longer in the pipeline; dropped")
    }
  }
}
