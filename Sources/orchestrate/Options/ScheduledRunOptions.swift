import ArgumentParser
import OrchestrateKit

/// What `schedule` writes onto the command line of scheduled runs: an
/// environment and parameters, taken as a run takes them (but no --date:
/// each scheduled run is for its own day).
struct ScheduledRunOptions: ParsableArguments {
  @Option(
    name: [.customShort("p"), .customLong("param")],
    help: ArgumentHelp(
      "Scheduled runs get this parameter (repeatable; over the file's schedule: params).",
      valueName: "name=value"))
  var assignments: [String] = []

  @Option(
    name: [.customShort("e"), .long],
    help: "Scheduled runs run in this environment (over the file's schedule: environment).")
  var environment: String?

  /// With the flags of bool parameters (`--full-refresh`, `--no-full-refresh`),
  /// which the command collects among its pipelines: they are known only
  /// once the pipeline files are read.
  func request(flags: [String]) -> RunSettings.Request {
    RunSettings.Request(environment: environment, assignments: assignments, flags: flags)
  }
}
