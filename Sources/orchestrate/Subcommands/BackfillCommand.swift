import ArgumentParser
import FoundationEssentials
import Glibc
import OrchestrateKit

struct BackfillCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "backfill",
    abstract: "Run a pipeline once for each date of a range, oldest first, one after another.",
    discussion: "Stops at the first run that does not complete, unless --keep-going.")

  @OptionGroup var options: PipelineOptions
  @OptionGroup var parameters: ParameterOptions

  @Option(help: "The first date (YYYY-MM-DD).")
  var from: String

  @Option(help: "The last date (YYYY-MM-DD), included.")
  var to: String

  @Flag(help: "Go on with the next dates after a run that did not complete.")
  var keepGoing = false

  @Option(help: "Run at most this many tasks at once (overrides max_parallel).")
  var maxParallel: Int?

  func validate() throws {
    if parameters.date != nil {
      throw ValidationError("--date does not apply; give --from and --to")
    }
    guard let dates = LogicalDate.range(from: from, to: to) else {
      throw ValidationError("--from and --to must be dates (YYYY-MM-DD), --from not after --to")
    }
    if dates.count > 3660 { throw ValidationError("--from and --to span more than ten years") }
  }

  func run() throws {
    // Checked once here, so that a bad parameter fails before the first run.
    let (plan, location) = try CommandFailure.exitOnFailure {
      let (plan, location) = try options.plan(parameters.request)
      return (
        try PreflightGate.checked(plan, location: location, argument: options.pipeline), location
      )
    }
    let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
    let backfill = Backfill(
      binary: binary,
      arguments: { date in
        ["run", location.file, "--root", location.root, "--date", date, "--manual"]
          + options.sources.flatMap { ["--source", $0] }
          + parameters.assignments.flatMap { ["--param", $0] }
          + (parameters.environment.map { ["--environment", $0] } ?? []) + parameters.flags
          + (maxParallel.map { ["--max-parallel", String($0)] } ?? [])
      },
      metricsDirectory: RootLayout(root: location.root).metricsDirectory(
        pipeline: plan.pipeline.name),
      environment: ProcessInfo.processInfo.environment)
    var failed = false
    for date in LogicalDate.range(from: from, to: to)! {
      let outcome = backfill.run(date: date, output: STDOUT_FILENO)
      let status = outcome.record?.status.rawValue ?? "not run"
      let run = outcome.record.map { "  \($0.runId)" } ?? ""
      let duration =
        outcome.record?.durationSeconds.map { "  \(RunSummary.formatSeconds($0))" } ?? ""
      print("\(date)  \(status)  exit \(outcome.exitCode)\(run)\(duration)")
      fflush(nil)
      if outcome.exitCode != 0 {
        failed = true
        if outcome.exitCode > 128 || !keepGoing { break }
      }
    }
    if failed { throw ExitCode(1) }
  }
}
