import ArgumentParser
import Foundation
import OrchestrateKit

struct ValidateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate",
    abstract: "Check a pipeline file: exit 0 when it can run, 2 with the first problem when not.")

  @OptionGroup var options: PipelineOptions
  @OptionGroup var parameters: ParameterOptions

  func run() throws {
    var request = parameters.request
    request.allowsMissing = true
    let (plan, location) = try CommandFailure.exitOnFailure { try options.plan(request) }
    let programs = SlurmClient.missingPrograms(for: plan)
    if !programs.isEmpty {
      FileHandle.standardError.write(
        Data(
          ("\(location.file): executor: slurm needs \(programs.joined(separator: ", ")), "
            + "not found in PATH\n").utf8))
      throw ExitCode(2)
    }
    print("\(location.file): ok, \(plan.pipeline.tasks.count) task(s), \(plan.steps.count) to run")
    let missing = plan.pipeline.parameters.filter { plan.settings.values[$0.name] == nil }
    if !missing.isEmpty {
      print(
        "  required at run time: " + missing.map { "--param \($0.name)=…" }.joined(separator: " "))
    }
    for warning in plan.settings.warnings { print("  warning: \(warning)") }
  }
}
