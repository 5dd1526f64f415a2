import ArgumentParser
import OrchestrateKit

/// What a run is told: its environment, parameters and logical date.
struct ParameterOptions: ParsableArguments {
  @Option(
    name: [.customShort("p"), .customLong("param")],
    help: ArgumentHelp("Set a declared parameter (repeatable).", valueName: "name=value"))
  var assignments: [String] = []

  @Option(name: [.customShort("e"), .long], help: "Run in this environment of the pipeline.")
  var environment: String?

  @Option(help: "The date the run is for (YYYY-MM-DD); default: today less date_offset.")
  var date: String?

  /// `--full-refresh`, `--no-full-refresh`: a flag for each bool parameter,
  /// known only once the pipeline file is read.
  @Argument(parsing: .allUnrecognized, help: .hidden)
  var flags: [String] = []

  var request: RunSettings.Request {
    RunSettings.Request(
      environment: environment, assignments: assignments, flags: flags, date: date)
  }
}
