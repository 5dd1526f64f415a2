import ArgumentParser
import OrchestrateKit

struct ValidateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate",
    abstract: "Check a pipeline file: exit 0 when it can run, 2 with the first problem when not.")

  @OptionGroup var options: PipelineOptions

  func run() throws {
    let (plan, location) = try CommandFailure.exitOnFailure { try options.plan() }
    print("\(location.file): ok, \(plan.pipeline.tasks.count) task(s), \(plan.steps.count) to run")
  }
}
