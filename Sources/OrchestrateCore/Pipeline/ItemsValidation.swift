/// Checks `items:` and each task's `backpressure:`: stage names a path and a
/// metric label can hold, a backpressure stage that has a stage before it.
struct ItemsValidation {
  var file: String

  func settings(_ definition: ItemsDefinition?) throws(PipelineError) -> ItemSettings {
    var settings = ItemSettings()
    guard let definition else { return settings }
    let stages = definition.stages ?? []
    for (index, stage) in stages.enumerated() {
      if let problem = ItemSettings.stageProblem(stage) {
        throw error("'\(Names.printable(stage))' \(problem)", field: "items.stages[\(index)]")
      }
      if stages[..<index].contains(stage) {
        throw error("stage '\(stage)' is listed twice", field: "items.stages[\(index)]")
      }
    }
    settings.stages = stages
    switch definition.stuckAfter {
    case .after(let duration):
      if duration <= .zero { throw error("must be longer than zero", field: "items.stuck_after") }
      settings.stuckAfter = duration
    case .never:
      throw error("cannot be 'never'", field: "items.stuck_after")
    case nil: break
    }
    if let count = definition.alertStuckOver {
      guard (0...1_000_000_000).contains(count) else {
        throw error(
          "must be between 0 and 1000000000, got \(count)", field: "items.alert_stuck_over")
      }
      settings.alertStuckOver = count
    }
    if let rate = definition.maxFailureRate {
      guard rate >= 0, rate <= 1 else {
        throw error("must be between 0 and 1, got \(rate)", field: "items.max_failure_rate")
      }
      settings.maxFailureRate = rate
    }
    return settings
  }

  /// `items.keep_events`: how long rotation keeps a run's events (nil:
  /// forever). The snapshot, every item's latest state, is never deleted.
  func keepEvents(_ definition: ItemsDefinition?) throws(PipelineError) -> Duration? {
    switch definition?.keepEvents {
    case .after(let duration):
      if duration <= .zero { throw error("must be longer than zero", field: "items.keep_events") }
      return duration
    case .never: return nil
    case nil: return Pipeline.defaultItemsKeepEvents
    }
  }

  func backpressure(
    _ definition: BackpressureDefinition?, of task: TaskDefinition, at index: Int,
    stages: [String]
  ) throws(PipelineError) -> Backpressure? {
    guard let definition else { return nil }
    let field = "tasks[\(index)].backpressure"
    func fail(_ message: String, _ key: String) -> PipelineError {
      PipelineError(
        file: file, line: task.line, field: "\(field).\(key)",
        message: "task '\(Names.printable(task.name))': \(message)")
    }
    guard let position = stages.firstIndex(of: definition.stage) else {
      let declared =
        stages.isEmpty ? "none declared in items.stages" : stages.joined(separator: ", ")
      throw fail(
        "unknown stage '\(Names.printable(definition.stage))' (stages: \(declared))", "stage")
    }
    guard position > 0 else {
      throw fail(
        "stage '\(definition.stage)' is the first: no backlog builds up before it", "stage")
    }
    guard (0...1_000_000_000).contains(definition.maxBacklog) else {
      throw fail(
        "'max_backlog' must be between 0 and 1000000000, got \(definition.maxBacklog)",
        "max_backlog")
    }
    return Backpressure(stage: definition.stage, maxBacklog: definition.maxBacklog)
  }

  private func error(_ message: String, field: String) -> PipelineError {
    PipelineError(file: file, field: field, message: message)
  }
}
