/// Checks the `executor:` and `slurm:` fields and turns them into what a
/// task runs on.
struct SlurmValidation {
  var file: String

  func runSettings(_ definition: SlurmDefinition?) throws(PipelineError) -> SlurmPipelineSettings {
    var settings = SlurmPipelineSettings()
    guard let definition else { return settings }
    if let maxJobs = definition.maxJobs {
      guard (1...100_000).contains(maxJobs) else {
        throw PipelineError(
          file: file, field: "slurm.max_jobs",
          message: "must be between 1 and 100000, got \(maxJobs)")
      }
      settings.maxJobs = maxJobs
    }
    if let path = definition.orchestratePath {
      guard path.hasPrefix("/") else {
        throw PipelineError(
          file: file, field: "slurm.orchestrate_path",
          message: "'\(path)' must be an absolute path (as the compute nodes see it)")
      }
      settings.orchestratePath = path
    }
    switch definition.resultGrace {
    case .never:
      throw PipelineError(file: file, field: "slurm.result_grace", message: "cannot be 'never'")
    case .after(let grace): settings.resultGrace = grace
    case nil: break
    }
    return settings
  }

  /// The task's executor: its own `executor:`, else the pipeline's; its
  /// `slurm:` fields over the pipeline's.
  func executor(
    of task: TaskDefinition, at index: Int, pipelineDefault: ExecutorName?,
    defaults: SlurmDefinition?
  ) throws(PipelineError) -> TaskExecutorKind {
    let field = "tasks[\(index)]"
    func fail(_ key: String, _ message: String) -> PipelineError {
      PipelineError(
        file: file, line: task.line, field: "\(field).\(key)",
        message: "task '\(Names.printable(task.name))': \(message)")
    }
    let own = task.slurm
    if let own {
      for key in SlurmDefinition.runKeys where own.isSet(key) {
        throw fail(
          "slurm.\(key.rawValue)",
          "'\(key.rawValue)' applies to the whole run; set it in the top-level 'slurm:'")
      }
    }
    switch task.executor ?? pipelineDefault ?? .local {
    case .local:
      if own != nil { throw fail("slurm", "'slurm' needs 'executor: slurm'") }
      return .local
    case .slurm:
      var resources = SlurmResources()
      resources.partition = own?.partition ?? defaults?.partition
      resources.account = own?.account ?? defaults?.account
      resources.cpus = own?.cpus ?? defaults?.cpus
      resources.memory = own?.memory ?? defaults?.memory
      resources.extraArgs = own?.extraArgs ?? defaults?.extraArgs ?? []
      if let cpus = resources.cpus, !(1...100_000).contains(cpus) {
        throw fail("slurm.cpus", "'cpus' must be between 1 and 100000, got \(cpus)")
      }
      if let memory = resources.memory, !Self.isMemory(memory) {
        throw fail(
          "slurm.memory", "'\(memory)' is not an amount of memory (write e.g. 512M, 16G or 1T)")
      }
      for (key, value) in [("partition", resources.partition), ("account", resources.account)] {
        if let value, value.isEmpty || value.contains(where: { $0.isWhitespace || $0 == "," }) {
          throw fail("slurm.\(key)", "'\(value)' is not a Slurm \(key) name")
        }
      }
      switch own?.time ?? defaults?.time {
      case .never: resources.time = nil
      case .after(let time):
        guard time >= .seconds(1) else { throw fail("slurm.time", "must be at least 1s") }
        resources.time = time
      case nil: break
      }
      return .slurm(resources)
    }
  }

  /// Slurm's `--mem`: a whole number with an optional K, M, G or T.
  static func isMemory(_ text: String) -> Bool {
    var digits = Substring(text)
    if let last = digits.last, "KMGTkmgt".contains(last) { digits = digits.dropLast() }
    return !digits.isEmpty && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber)
  }
}

extension SlurmDefinition {
  fileprivate func isSet(_ key: CodingKeys) -> Bool {
    switch key {
    case .maxJobs: maxJobs != nil
    case .orchestratePath: orchestratePath != nil
    case .resultGrace: resultGrace != nil
    default: false
    }
  }
}
