import ArgumentParser
import FoundationEssentials
import Glibc
import OrchestrateKit

struct BackfillCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "backfill",
    abstract: "Run a pipeline once for each date of a range, oldest first, one after another.",
    discussion: """
      Each date is a run of its own (orchestrate run --date DATE), with the options given \
      here. A line per date says how its run ended; on a terminal or with -v another says \
      when it starts, and -v prints each run's event lines. Stops at the first run that \
      does not complete, unless --keep-going.
      """)

  @OptionGroup var options: PipelineOptions
  @OptionGroup var parameters: ParameterOptions
  /// Each run's date comes from the range: refused, so not in the help.
  @OptionGroup(visibility: .hidden) var logicalDate: LogicalDateOption

  @Option(help: "The first date (YYYY-MM-DD).")
  var from: String

  @Option(help: "The last date (YYYY-MM-DD), included.")
  var to: String

  @Flag(help: "Go on with the next dates after a run that did not complete.")
  var keepGoing = false

  @Option(help: "Run at most this many tasks at once (overrides max_parallel).")
  var maxParallel: Int?

  @Flag(help: "Print each date's plan; run nothing, write nothing.")
  var dryRun = false

  @Flag(
    name: .shortAndLong,
    help: "A line as each date starts, and each run's event lines, terminal or not.")
  var verbose = false

  func validate() throws {
    if logicalDate.date != nil {
      throw ValidationError("--date does not apply; give --from and --to")
    }
    guard let dates = LogicalDate.range(from: from, to: to) else {
      throw ValidationError("--from and --to must be dates (YYYY-MM-DD), --from not after --to")
    }
    if dates.count > 3660 { throw ValidationError("--from and --to span more than ten years") }
    if let maxParallel, maxParallel < 1 {
      throw ValidationError("--max-parallel must be at least 1, got \(maxParallel)")
    }
  }

  func run() throws {
    let dates = LogicalDate.range(from: from, to: to)!
    // Checked once here, so that a bad parameter fails before the first run.
    let (plan, location) = try CommandFailure.exitOnFailure {
      let (plan, location) = try options.plan(parameters.request(date: dates[0]))
      return (
        try PreflightGate.checked(plan, location: location, argument: options.pipeline), location
      )
    }
    if dryRun { return try printPlans(first: plan, dates: dates) }
    let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
    let backfill = Backfill(
      binary: binary,
      arguments: { date in
        ["run", location.file, "--root", location.root, "--date", date, "--manual"]
          + options.sources.flatMap { ["--source", $0] }
          + parameters.assignments.flatMap { ["--param", $0] }
          + (parameters.environment.map { ["--environment", $0] } ?? []) + parameters.flags
          + (maxParallel.map { ["--max-parallel", String($0)] } ?? [])
          + (verbose ? ["--verbose"] : [])
      },
      metricsDirectory: RootLayout(root: location.root).metricsDirectory(
        pipeline: plan.pipeline.name),
      environment: ProcessInfo.processInfo.environment)
    // The runs' own output says nothing of which date it is for.
    let announces = verbose || isatty(STDOUT_FILENO) == 1
    var failed = false
    for (index, date) in dates.enumerated() {
      if announces {
        print("\(date)  started  (\(index + 1) of \(dates.count))")
        fflush(nil)
      }
      let outcome = backfill.run(date: date, output: STDOUT_FILENO)
      let status = outcome.record?.status.rawValue ?? "not run"
      let run = outcome.record.map { "  \($0.runId)" } ?? ""
      let duration =
        outcome.record?.durationSeconds.map { "  \(DurationDisplay.summary($0))" } ?? ""
      print("\(date)  \(status)  exit \(outcome.exitCode)\(run)\(duration)")
      fflush(nil)
      if outcome.exitCode != 0 {
        failed = true
        if outcome.exitCode > 128 || !keepGoing { break }
      }
    }
    if failed { throw ExitCode(1) }
  }

  /// `--dry-run`: each date's plan as `run --dry-run --date` prints it,
  /// the plan's warnings once.
  private func printPlans(first: Plan, dates: [String]) throws {
    for warning in first.settings.warnings {
      StandardError.write("orchestrate: warning: \(warning)\n")
    }
    try CommandFailure.exitOnFailure {
      for (index, date) in dates.enumerated() {
        let plan = index == 0 ? first : try options.plan(parameters.request(date: date)).0
        print(PlanDescription.render(plan, maxParallel: maxParallel, closing: false) + "\n")
      }
    }
    print("backfill: \(dates.count) run(s); " + PlanDescription.nothingDone)
  }
}
