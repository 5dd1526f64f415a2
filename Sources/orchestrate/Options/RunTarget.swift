import ArgumentParser
import OrchestrateKit

/// The running run `pause` and `resume` act on: `RUN_ID`, or `--last PIPELINE`.
struct RunTarget: ParsableArguments {
  @Argument(
    help: ArgumentHelp("A running run's id; with --last, a pipeline name.", valueName: "run-id"),
    completion: Completions.run)
  var target: String

  @Flag(help: "The newest run of the pipeline.")
  var last = false

  @OptionGroup var rootOption: RootOption

  /// Pauses or resumes the run, printing one line; exits 1 or 2 with one
  /// line on stderr when it cannot (see docs/pause.md).
  func request(_ action: RunControl.Action) throws {
    try CommandFailure.exitOnFailure {
      do {
        let record = try RunControl.request(
          action, runId: last ? nil : target, newestOf: last ? target : nil,
          layout: rootOption.layout)
        let state =
          action == .pause
          ? "paused (since \(record.pausedSince.map(Timestamp.format) ?? "now"))"
          : "resumed (paused \(DurationDisplay.short(record.pausedSeconds ?? 0)) in all)"
        print(
          "run \(TerminalText.escaped(record.runId)) of "
            + "\(TerminalText.escaped(record.pipeline)) \(state)")
      } catch let error as RunControl.Failure {
        throw CommandFailure(message: error.description, exitCode: error.exitCode)
      }
    }
  }
}
