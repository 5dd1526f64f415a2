/// The tasks one run will execute: per-source tasks fanned out, the source
/// filter applied, dependencies resolved to instances, in file order.
public struct Plan: Sendable {
  public var pipeline: Pipeline
  /// The `--source` selection; empty means every source.
  public var sourceFilter: [String]
  public var steps: [Step]

  public struct Step: Sendable, Equatable {
    /// `extract[geo]` for an instance of a per-source task, else the task's name.
    public var name: String
    public var source: String?
    public var task: PipelineTask
    /// Indices into `steps` of the steps this one waits for. File order need
    /// not be dependency order, so they may come before or after it.
    public var dependencies: [Int]
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

  public init(pipeline: Pipeline, sources filter: [String] = []) throws(Problem) {
    for source in filter where !pipeline.sources.contains(source) {
      throw .unknownSource(source, known: pipeline.sources)
    }
    self.pipeline = pipeline
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
        steps.append(Step(name: name, source: source, task: task, dependencies: []))
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
