/// The tasks one run will execute: per-source tasks fanned out, the source
/// filter applied, dependencies resolved to instances, in file order.
public struct Plan: Sendable {
  public var pipeline: Pipeline
  /// The `--source` selection; empty means every source.
  public var sourceFilter: [String]
  /// Environment, parameters and logical date of the run.
  public var settings: RunSettings
  public var steps: [Step]

  public struct Step: Sendable, Equatable {
    /// `extract[geo]` for an instance of a per-source task, else the task's name.
    public var name: String
    public var source: String?
    public var task: PipelineTask
    /// Indices into `steps` of the steps this one waits for. File order need
    /// not be dependency order, so they may come before or after it.
    public var dependencies: [Int]
    /// Why `when:` leaves it out of this run (`when: full_refresh is false`).
    public var unwanted: String?
  }

  public enum Problem: Error, CustomStringConvertible, Equatable {
    case unknownSource(String, known: [String])

    public var description: String {
      switch self {
      case .unknownSource(let source, let known):
        let list =
          known.isEmpty
          ? "the pipeline has no sources" : "sources: \(known.joined(separator: ", "))"
        return "unknown source '\(source)' (\(list))"
      }
    }
  }

  public init(pipeline: Pipeline, sources filter: [String] = [], settings: RunSettings? = nil)
    throws(Problem)
  {
    for source in filter where !pipeline.sources.contains(source) {
      throw .unknownSource(source, known: pipeline.sources)
    }
    let settings = settings ?? RunSettings.defaults(of: pipeline)
    var pipeline = pipeline
    // The environment's limits win over the pipeline's.
    if let maxParallel = settings.maxParallel { pipeline.maxParallel = maxParallel }
    if let timeout = settings.timeout { pipeline.timeout = timeout }
    self.pipeline = pipeline
    self.settings = settings
    self.sourceFilter = filter
    let selected = filter.isEmpty ? pipeline.sources : pipeline.sources.filter(filter.contains)
    let selectedSet = Set(selected)

    // Instances first, so dependencies can refer to any of them.
    var steps: [Step] = []
    var instances: [String: [(source: String?, index: Int)]] = [:]
    for task in pipeline.tasks {
      let sourcesOfTask: [String?]
      switch task.sourceScope {
      case .none: sourcesOfTask = [nil]
      case .single(let source): sourcesOfTask = selectedSet.contains(source) ? [source] : []
      case .eachSource: sourcesOfTask = selected
      }
      for source in sourcesOfTask {
        let name = task.sourceScope == .eachSource ? "\(task.name)[\(source!)]" : task.name
        instances[task.name, default: []].append((source, steps.count))
        let unwanted = task.when.flatMap { condition in
          condition.holds(settings.values) ? nil : "when: \(condition.text) does not hold"
        }
        steps.append(
          Step(name: name, source: source, task: task, dependencies: [], unwanted: unwanted))
      }
    }
    for index in steps.indices {
      let step = steps[index]
      var dependencies: [Int] = []
      for dependency in step.task.dependsOn {
        let candidates = instances[dependency] ?? []
        // A per-source step waits only for its own source's instance of a
        // per-source dependency; everything else waits for all instances.
        let ownSource = candidates.filter { step.source != nil && $0.source == step.source }
        dependencies += (ownSource.isEmpty ? candidates : ownSource).map(\.index)
      }
      steps[index].dependencies = dependencies
    }
    self.steps = steps
  }
}

extension Plan {
  /// What every task sets for itself, whatever it inherits.
  static let ownVariables: Set<String> = [
    "ORCHESTRATE_RUN_ID", "ORCHESTRATE_PIPELINE", "ORCHESTRATE_ROOT", "ORCHESTRATE_TASK",
    "ORCHESTRATE_ATTEMPT", "ORCHESTRATE_PROGRESS", "ORCHESTRATE_METRICS",
    "ORCHESTRATE_RUN_STATUS", "ORCHESTRATE_FAILED_TASKS",
  ]

  /// The first `${NAME}` in an `argv` that no task would have set, given
  /// the environment orchestrate inherits: a run would fail it at night.
  public func unsetArgvVariable(inherited: [String: String]) -> PipelineError? {
    for step in steps {
      guard case .argv(let argv) = step.task.command,
        let names = try? ArgvExpansion.variables(in: argv)
      else { continue }
      for name in names {
        let known =
          inherited[name] != nil || pipeline.environment[name] != nil
          || settings.variables[name] != nil || step.task.environment[name] != nil
          || Self.ownVariables.contains(name)
          || (name == "ORCHESTRATE_SOURCE" && step.source != nil)
        if known { continue }
        let index = pipeline.tasks.firstIndex { $0.name == step.task.name } ?? 0
        return PipelineError(
          file: pipeline.file, line: step.task.line, field: "tasks[\(index)].argv",
          message: "task '\(step.task.name)': ${\(name)} is not set "
            + "(not in the environment, env, params or the variables orchestrate sets)")
      }
    }
    return nil
  }
}
