import FoundationEssentials

/// What `sbatch` is given for one attempt: the job's name, resources and
/// places, and a job script that runs the task through `orchestrate
/// task-wrapper` on the node. Values of the task's environment are never
/// on sbatch's command line (where `ps` shows them): sbatch hands its own
/// environment, which is the task's, to the job.
package struct SlurmSubmission: Equatable {
  var jobName: String
  var partition: String?
  /// sbatch's arguments, the job script's path last.
  var arguments: [String]
  var script: String

  init(
    pipeline: String, run: String, step: Plan.Step, resources: SlurmResources,
    directory: String, logPath: String, resultPath: String, scriptPath: String,
    orchestrate: String, command: [String]
  ) {
    jobName = AttemptHandle.jobName(pipeline: pipeline, run: run, task: step.name)
    partition = resources.partition
    var arguments = [
      "--parsable", "--job-name=\(jobName)", "--chdir=\(directory)", "--output=\(logPath)",
      "--no-requeue", "--export=ALL",
    ]
    if let partition = resources.partition { arguments.append("--partition=\(partition)") }
    if let account = resources.account { arguments.append("--account=\(account)") }
    if let cpus = resources.cpus { arguments.append("--cpus-per-task=\(cpus)") }
    if let memory = resources.memory { arguments.append("--mem=\(memory)") }
    if let minutes = Self.minutes(resources: resources, task: step.task) {
      arguments.append("--time=\(minutes)")
    }
    arguments += resources.extraArgs
    arguments.append(scriptPath)
    self.arguments = arguments
    script =
      "#!/bin/sh\n# \(step.name) of run \(run) of \(pipeline)\nexec "
      + ([orchestrate, "task-wrapper", "--result", resultPath, "--"] + command).map(
        ShellWords.singleQuoted
      )
      .joined(separator: " ") + "\n"
  }

  /// The sbatch command line of a Slurm step, with the places a run
  /// decides shown as <run_id>, <root> and <logs>; nil for a local step.
  package static func preview(of step: Plan.Step, pipeline: String) -> String? {
    guard case .slurm(let resources) = step.task.executor else { return nil }
    let submission = SlurmSubmission(
      pipeline: pipeline, run: "<run_id>", step: step, resources: resources,
      directory: step.task.workingDirectory ?? "<root>", logPath: "<logs>/\(step.name).log",
      resultPath: "<logs>/\(step.name).1.result", scriptPath: "<logs>/\(step.name).1.sbatch",
      orchestrate: "orchestrate", command: [])
    return (["sbatch"] + submission.arguments).map {
      $0.contains(where: { $0 == " " || $0 == "'" || $0 == "[" }) ? ShellWords.singleQuoted($0) : $0
    }.joined(separator: " ")
  }

  /// Slurm's limit in whole minutes: the one set, else the task's timeout
  /// plus its kill grace, rounded up; nil leaves the partition's default.
  static func minutes(resources: SlurmResources, task: PipelineTask) -> Int? {
    let limit = resources.time ?? task.timeout.map { $0 + task.killGrace }
    return limit.map { Int(($0.seconds / 60).rounded(.up)) }
  }
}
