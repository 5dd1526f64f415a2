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
    /// A rerun takes this completed outcome over from an earlier run.
    public var reused: TaskRecord?
    /// A rerun's task that failed in a declared phase there: that phase,
    /// given to the task as `ORCHESTRATE_RESUME_PHASE`.
    public var resumePhase: String?
  }

  /// `--task` names (tasks or instances such as `extract[geo]`), with what
  /// they need and what needs them when asked.
  public struct TaskSelection: Sendable, Equatable {
    public var names: [String]
    public var withDependencies = false
    public var downstream = false

    public init(names: [String], withDependencies: Bool = false, downstream: Bool = false) {
      self.names = names
      self.withDependencies = withDependencies
      self.downstream = downstream
    }
  }

  /// The `--task` selection, if the run is of part of the pipeline.
  public var taskFilter: [String]?
  /// The run a rerun takes completed tasks over from, and its file's hash.
  public var rerunOf: (runId: String, pipelineSha256: String)?

  public enum Problem: Error, CustomStringConvertible, Equatable {
    case unknownSource(String, known: [String])
    case unknownTask(String, guess: String?)

    public var description: String {
      switch self {
      case .unknownSource(let source, let known):
        let list =
          known.isEmpty
          ? "the pipeline has no sources" : "sources: \(known.joined(separator: ", "))"
        return "unknown source '\(source)' (\(list))"
      case .unknownTask(let task, let guess):
        return "unknown task '\(task)'" + (guess.map { " (did you mean '\($0)'?)" } ?? "")
      }
    }
  }

  public init(
    pipeline: Pipeline, sources filter: [String] = [], settings: RunSettings? = nil,
    tasks selection: TaskSelection? = nil
  ) throws(Problem) {
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
    if let selection { try select(selection) }
  }

  /// The name `--task` most likely meant: an instance (`extract[geo]`) or,
  /// since a mistyped per-source task is far from each of its instances, a
  /// task (`extract`).
  func taskGuess(for name: String) -> String? {
    closestMatch(to: name, in: Set(steps.map(\.name) + steps.map(\.task.name)))
  }

  /// Keeps the selected steps; dependencies on steps left out are dropped,
  /// as with `--source`.
  private mutating func select(_ selection: TaskSelection) throws(Problem) {
    var chosen = Set<Int>()
    for name in selection.names {
      let matching = steps.indices.filter { steps[$0].name == name || steps[$0].task.name == name }
      guard !matching.isEmpty else {
        throw .unknownTask(name, guess: taskGuess(for: name))
      }
      chosen.formUnion(matching)
    }
    if selection.withDependencies {
      chosen = closure(of: chosen, along: { steps[$0].dependencies })
    }
    if selection.downstream {
      let dependents = dependentsOfEachStep()
      chosen = closure(of: chosen, along: { dependents[$0] })
    }
    let kept = steps.indices.filter(chosen.contains)
    let position = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1, $0) })
    steps = kept.map { index in
      var step = steps[index]
      step.dependencies = step.dependencies.compactMap { position[$0] }
      return step
    }
    taskFilter = selection.names
  }

  /// For each step, the steps that wait for it.
  func dependentsOfEachStep() -> [[Int]] {
    var dependents = Array(repeating: [Int](), count: steps.count)
    for (index, step) in steps.enumerated() {
      for dependency in step.dependencies { dependents[dependency].append(index) }
    }
    return dependents
  }

  /// `start` and everything reachable from it along `next`.
  func closure(of start: Set<Int>, along next: (Int) -> [Int]) -> Set<Int> {
    var reached = start
    var queue = Array(start)
    while let index = queue.popLast() {
      for other in next(index) where reached.insert(other).inserted { queue.append(other) }
    }
    return reached
  }
}

extension Plan {
  /// What every task of the run inherits before its own `env`: the
  /// orchestrator's environment, the pipeline's `env`, then the run's
  /// environment, env file and parameters. Runs, their start checks and
  /// `validate` all see tasks through this one layering.
  public func sharedEnvironment(inheriting inherited: [String: String]) -> [String: String] {
    var environment = inherited
    for (key, value) in pipeline.environment { environment[key] = value }
    for (key, value) in settings.variables { environment[key] = value }
    return environment
  }

  /// A variable as `step` will have it, given the shared environment.
  func variable(_ name: String, of step: Step, shared: [String: String]) -> String? {
    // As the launcher lays them: the task's source over its own `env`.
    if name == "ORCHESTRATE_SOURCE", let source = step.source { return source }
    return step.task.environment[name] ?? shared[name]
  }

  /// What every task sets for itself, whatever it inherits.
  static let ownVariables: Set<String> = [
    "ORCHESTRATE_RUN_ID", "ORCHESTRATE_PIPELINE", "ORCHESTRATE_ROOT", "ORCHESTRATE_TASK",
    "ORCHESTRATE_ATTEMPT", "ORCHESTRATE_PROGRESS", "ORCHESTRATE_METRICS", "ORCHESTRATE_ITEMS",
    "ORCHESTRATE_RUN_STATUS", "ORCHESTRATE_FAILED_TASKS",
  ]

  /// The first `${NAME}` in an `argv` that names a secret (a `secret: true`
  /// parameter or an `env_file` value): a program's arguments can be read by
  /// every user of the machine (`ps`, /proc/PID/cmdline) for as long as it
  /// runs, its environment only by its owner.
  public func secretInArgv() -> PipelineError? {
    let secrets = Set(pipeline.parameters.filter(\.secret).map(\.variable))
      .union(settings.secretNames)
    guard !secrets.isEmpty else { return nil }
    for step in steps {
      guard case .argv(let argv) = step.task.command,
        let names = try? ArgvExpansion.variables(in: argv),
        let name = names.first(where: secrets.contains)
      else { continue }
      let index = pipeline.tasks.firstIndex { $0.name == step.task.name } ?? 0
      return PipelineError(
        file: pipeline.file, line: step.task.line, field: "tasks[\(index)].argv",
        message: "task '\(step.task.name)': ${\(name)} is a secret, and a program's arguments "
          + "are visible to every user of the machine (ps); let the program read $\(name) from "
          + "its environment instead")
    }
    return nil
  }

  /// The first `${NAME}` in an `argv` that no task would have set, given
  /// the environment orchestrate inherits: a run would fail it at night.
  public func unsetArgvVariable(inherited: [String: String]) -> PipelineError? {
    let shared = sharedEnvironment(inheriting: inherited)
    for step in steps {
      guard case .argv(let argv) = step.task.command,
        let names = try? ArgvExpansion.variables(in: argv)
      else { continue }
      for name in names {
        if variable(name, of: step, shared: shared) != nil || Self.ownVariables.contains(name) {
          continue
        }
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
