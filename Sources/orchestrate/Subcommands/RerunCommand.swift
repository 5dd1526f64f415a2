import ArgumentParser
import FoundationEssentials
import OrchestrateKit

struct RerunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rerun",
    abstract: "Run what did not complete in an earlier run, taking over what did.",
    discussion: """
      A new run of the same pipeline with the original's environment, parameters \
      (secret ones must be given again), logical date, sources and max_parallel; \
      options given here override them. Tasks that completed there are taken over, \
      not run again; the others run, with everything downstream of them.
        orchestrate rerun RUN_ID
        orchestrate rerun --last PIPELINE
        orchestrate rerun RUN_ID --task transform --downstream
      """)

  @Argument(
    help: ArgumentHelp("The run to rerun; with --last, a pipeline name.", valueName: "run-id"),
    completion: Completions.run)
  var target: String

  @Flag(help: "The newest finished run of the pipeline.")
  var last = false

  @Option(name: .customLong("task"), help: "Run this task again even if it completed (repeatable).")
  var tasks: [String] = []

  @Flag(help: "With --task: also run again what depends on them.")
  var downstream = false

  @Flag(help: "Run again every task that did not complete (the default).")
  var allFailed = false

  @Option(
    name: .customLong("source"), help: "Only the tasks of this source (default: the original's).")
  var sources: [String] = []

  @OptionGroup var rootOption: RootOption
  @OptionGroup var parameters: ParameterOptions
  @OptionGroup var logicalDate: LogicalDateOption
  @OptionGroup var flags: RunFlags

  func validate() throws {
    if allFailed && !tasks.isEmpty {
      throw ValidationError("--all-failed and --task exclude each other")
    }
    if downstream && tasks.isEmpty { throw ValidationError("--downstream needs --task") }
  }

  func run() throws {
    let layout = rootOption.layout
    let original = try CommandFailure.exitOnFailure(printing: !flags.quiet) {
      () throws -> RunRecord in
      do {
        let original =
          last
          ? try RerunSource.newest(
            pipeline: target, environment: parameters.environment, layout: layout)
          : try RerunSource.find(runId: target, layout: layout)
        if original.status == .completed && tasks.isEmpty {
          throw CommandFailure(
            message: "nothing to rerun: \(original.runId) completed; use --task", exitCode: 2)
        }
        return original
      } catch let problem as RerunSource.Problem {
        throw CommandFailure(message: problem.description, exitCode: 2)
      }
    }
    let selection = tasks.isEmpty ? nil : Plan.TaskSelection(names: tasks, downstream: downstream)
    try flags.execute(maxParallel: original.maxParallel) {
      let chosen = sources.isEmpty ? original.sourceFilter : sources
      let options = try PipelineOptions.parse(
        [original.pipelineFile, "--root", layout.root] + chosen.flatMap { ["--source", $0] })
      var (plan, location) = try options.plan(
        RerunSource.request(from: original, overriding: parameters.request(date: logicalDate.date)))
      do {
        try plan.reuse(from: original, rerunning: selection)
      } catch {
        throw CommandFailure(message: "--task: \(error)", exitCode: 2)
      }
      return (
        try PreflightGate.checked(plan, location: location, argument: options.pipeline), location
      )
    }
  }
}
