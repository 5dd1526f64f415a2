/// What `--dry-run` prints: the steps in the order they would be considered,
/// what each waits for, and its limits.
public enum PlanDescription {
  /// The last line of a dry run.
  public static let nothingDone = "dry run: nothing was started and nothing was written"

  /// `closing`: end with `nothingDone`; a backfill ends its plans with it once.
  public static func render(_ plan: Plan, maxParallel: Int? = nil, closing: Bool = true) -> String {
    let pipeline = plan.pipeline
    var header =
      "\(pipeline.name): \(plan.steps.count) task(s), max_parallel \(maxParallel ?? pipeline.maxParallel)"
    if let timeout = pipeline.timeout { header += ", run timeout \(DurationText.format(timeout))" }
    if !plan.sourceFilter.isEmpty {
      header += ", sources \(plan.sourceFilter.joined(separator: ", "))"
    }
    if let rerunOf = plan.rerunOf { header += ", rerun of \(rerunOf.runId)" }
    if let filter = plan.taskFilter { header += ", tasks \(filter.joined(separator: ", "))" }
    var lines = [header]
    let settings = plan.settings
    var run = ["date \(settings.logicalDate)"]
    if let environment = settings.environment { run.insert("environment \(environment)", at: 0) }
    if let dueAt = settings.dueAt { run.append("due \(Timestamp.format(dueAt))") }
    lines.append("  " + run.joined(separator: ", "))
    let shown = settings.shownValues
    if !shown.isEmpty {
      lines.append(
        "  params: "
          + shown.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
          .joined(separator: " "))
    }
    let numberWidth = String(plan.steps.count).count
    for (index, step) in plan.steps.enumerated() {
      let number = String(index + 1)
      var line =
        String(repeating: " ", count: numberWidth - number.count + 2) + number + "  " + step.name
      var details: [String] = []
      if !step.dependencies.isEmpty {
        details.append(
          "after " + step.dependencies.map { plan.steps[$0].name }.joined(separator: ", "))
      }
      if step.task.runIf == .always { details.append("run_if always") }
      if let timeout = step.task.timeout {
        details.append("timeout \(DurationText.format(timeout))")
      }
      if step.task.retries > 0 { details.append("retries \(step.task.retries)") }
      if let state = step.task.state { details.append("state, keep \(state.keep)") }
      if let unwanted = step.unwanted { details.append("skipped: \(unwanted)") }
      if let reused = step.reused?.reusedFrom { details.append("reused from \(reused)") }
      if !details.isEmpty { line += "  (" + details.joined(separator: "; ") + ")" }
      lines.append(line)
      if let sbatch = SlurmSubmission.preview(of: step, pipeline: pipeline.name) {
        lines.append(String(repeating: " ", count: numberWidth + 4) + sbatch)
      }
    }
    if closing { lines.append(nothingDone) }
    return lines.joined(separator: "\n")
  }
}
