/// Where a task runs.
public enum TaskExecutorKind: Sendable, Equatable {
  /// A child process of the orchestrator (the default).
  case local
  /// A Slurm batch job with these resources.
  case slurm(SlurmResources)
}

/// What a Slurm job asks for; nil fields are left to the cluster's defaults.
public struct SlurmResources: Sendable, Equatable {
  public var partition: String?
  public var account: String?
  public var cpus: Int?
  /// Slurm's `--mem`: `16G`, `512M`, a number of megabytes.
  public var memory: String?
  /// Slurm's `--time`; nil: the task's timeout plus its kill grace, rounded up to a minute.
  public var time: Duration?
  /// Passed to sbatch as they are (argv, no shell).
  public var extraArgs: [String] = []

  public init() {}
}

/// The pipeline's `slurm:` settings that are not per task.
public struct SlurmPipelineSettings: Sendable, Equatable {
  /// Jobs of one run queued or running at once.
  public var maxJobs = 200
  /// The orchestrate binary as the compute nodes reach it; nil: this one.
  public var orchestratePath: String?
  /// How long a job that left the queue without a result is looked for
  /// again before it counts as failed (NFS attribute caches).
  public var resultGrace: Duration = .seconds(60)

  public init() {}
}
