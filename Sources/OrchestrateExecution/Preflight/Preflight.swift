import FoundationEssentials

/// What `validate` and the start of every run check on this machine, beyond
/// the file itself: the things that otherwise fail at 2 a.m. Each task's
/// program (`argv[0]`, or the `shell` of a `run:` task) must resolve on the
/// PATH the task will have and be executable, and its working directory
/// must exist. A problem an earlier task may fix (see `EarlierTaskMentions`)
/// is a warning; any other is an error, and a run refuses to start on it.
public struct Preflight: Sendable {
  public var errors: [PipelineError] = []
  public var warnings: [PipelineError] = []

  /// `runningOnly`: leave out steps this run will not start (`when:` does
  /// not hold, taken over by a rerun); `validate` checks every step.
  public static func check(
    _ plan: Plan, root: String, inherited: [String: String], runningOnly: Bool
  ) -> Preflight {
    var result = Preflight()
    var seen = Set<String>()
    // Looked up once: a search per step made a 40,000-task plan take seconds.
    let positions = Dictionary(
      plan.pipeline.tasks.enumerated().map { ($1.name, $0) },
      uniquingKeysWith: { first, _ in first })
    let shared = plan.sharedEnvironment(inheriting: inherited)
    let views = plan.steps.map {
      TaskView(
        step: $0, index: positions[$0.task.name] ?? 0, plan: plan, root: root, shared: shared)
    }
    // What earlier tasks name is worked out only once something is missing.
    var earlier: EarlierTaskMentions?
    let programs = ProgramCache()
    for (index, step) in plan.steps.enumerated() {
      if runningOnly && (step.unwanted != nil || step.reused != nil) { continue }
      let mentions = {
        if earlier == nil { earlier = EarlierTaskMentions(plan: plan, views: views) }
        return earlier!.mentions(before: index)
      }
      for finding in views[index].problems(programs: programs, earlier: mentions) {
        // One message per task, not one per source instance.
        let key = "\(step.task.name)\u{0}\(finding.field)\u{0}\(finding.message)"
        guard seen.insert(key).inserted else { continue }
        let error = PipelineError(
          file: plan.pipeline.file, line: step.task.line, field: finding.field,
          // PATH or a program's name may come from an env_file: never echoed.
          message: plan.settings.mask.apply("task '\(step.task.name)': \(finding.message)"))
        if finding.isWarning {
          result.warnings.append(error)
        } else {
          result.errors.append(error)
        }
      }
    }
    return result
  }

  /// Every environment's `env_file`, not only the one a run would use: the
  /// night's crontab line may choose another. For `validate`.
  public static func checkEnvironmentFiles(_ pipeline: Pipeline, root: String) -> [PipelineError] {
    pipeline.environments.keys.sorted().compactMap { name in
      guard let envFile = pipeline.environments[name]?.envFile else { return nil }
      let path = RootLayout(root: root).absolute(envFile)
      guard let reason = EnvFile.unreadable(path) else { return nil }
      return PipelineError(
        file: pipeline.file, field: "environments.\(name).env_file",
        message: "env_file \(envFile) \(reason) (\(path))")
    }
  }

  /// Fills in line and column from the file where the finding has a field.
  public func located() -> Preflight {
    Preflight(
      errors: errors.map(PipelineLoader.locate), warnings: warnings.map(PipelineLoader.locate))
  }
}

/// One problem of one task, before it is worded as a `PipelineError`.
struct PreflightFinding: Equatable {
  var field: String
  var message: String
  var isWarning = false
}
