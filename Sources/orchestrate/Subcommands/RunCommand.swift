import ArgumentParser
import FoundationEssentials
import OrchestrateKit

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run a pipeline (the default command).",
    discussion: """
      Without a terminal on stdout (cron, systemd, a pipe) a run that completes \
      without anomalies prints nothing; anything else prints a short report. On a \
      terminal: event lines, a live view of running tasks and a summary.
      """)

  @OptionGroup var options: PipelineOptions
  @OptionGroup var parameters: ParameterOptions
  @OptionGroup var logicalDate: LogicalDateOption
  @OptionGroup var flags: RunFlags

  @Option(name: .customLong("task"), help: "Only this task or instance (repeatable).")
  var tasks: [String] = []

  @Flag(help: "With --task: also the tasks they depend on.")
  var withDependencies = false

  @Flag(help: "With --task: also the tasks that depend on them.")
  var downstream = false

  func validate() throws {
    if (withDependencies || downstream) && tasks.isEmpty {
      throw ValidationError("--with-dependencies and --downstream need --task")
    }
  }

  func run() throws {
    let selection =
      tasks.isEmpty
      ? nil
      : Plan.TaskSelection(names: tasks, withDependencies: withDependencies, downstream: downstream)
    try flags.execute {
      let (plan, location) = try options.plan(
        parameters.request(date: logicalDate.date), tasks: selection)
      return (
        try PreflightGate.checked(plan, location: location, argument: options.pipeline), location
      )
    }
  }
}
