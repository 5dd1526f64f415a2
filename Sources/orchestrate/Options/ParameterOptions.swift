import ArgumentParser
import OrchestrateKit

/// What a run is told: its environment and parameters.
struct ParameterOptions: ParsableArguments {
  @Option(
    name: [.customShort("p"), .customLong("param")],
    help: ArgumentHelp("Set a declared parameter (repeatable).", valueName: "name=value"))
  var assignments: [String] = []

  @Option(
    name: [.customShort("e"), .long], help: "Run in this environment of the pipeline.",
    completion: Completions.environment)
  var environment: String?

  /// `--full-refresh`, `--no-full-refresh`: a flag for each bool parameter,
  /// known only once the pipeline file is read.
  @Argument(parsing: .allUnrecognized, help: .hidden)
  var flags: [String] = []

  func request(date: String?) -> RunSettings.Request {
    RunSettings.Request(
      environment: environment, assignments: assignments, flags: flags, date: date)
  }
}

/// `--date`, apart from the parameters: `backfill` gives each run its date.
struct LogicalDateOption: ParsableArguments {
  @Option(help: "The date the run is for (YYYY-MM-DD); default: today less date_offset.")
  var date: String?
}
