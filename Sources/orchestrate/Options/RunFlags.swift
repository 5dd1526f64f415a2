import ArgumentParser
import FoundationEssentials
import Glibc
import OrchestrateKit

/// How a run is started and what it prints: shared by `run` and `rerun`.
struct RunFlags: ParsableArguments {
  @Flag(help: "Print the plan; run nothing, write nothing.")
  var dryRun = false

  @Option(help: "Run at most this many tasks at once (overrides max_parallel).")
  var maxParallel: Int?

  @Flag(help: "Record the run as manual even without a terminal.")
  var manual = false

  @Flag(name: .shortAndLong, help: "Print the event lines on stderr, terminal or not.")
  var verbose = false

  @Flag(name: .shortAndLong, help: "Print nothing, whatever happens: the exit code says it.")
  var quiet = false

  @Option(
    help: ArgumentHelp(
      "At the end, update the HTML report in this directory (overrides report.path).",
      valueName: "dir"))
  var report: String?

  /// `--report` as an absolute path: relative to the current directory, as `report -o`.
  var reportDirectory: String? {
    report.map { $0.hasPrefix("/") ? $0 : FileManager.default.currentDirectoryPath + "/" + $0 }
  }

  func validate() throws {
    if let maxParallel, maxParallel < 1 {
      throw ValidationError("--max-parallel must be at least 1, got \(maxParallel)")
    }
    if verbose && quiet { throw ValidationError("--verbose and --quiet exclude each other") }
    if let report, report.isEmpty { throw ValidationError("--report needs a directory") }
  }

  /// Plans with `makePlan`, then prints the plan (`--dry-run`) or runs it
  /// and ends the process the way the run ended: its exit code, or its
  /// signal re-raised.
  func execute(maxParallel fallback: Int? = nil, _ makePlan: () throws -> (Plan, PipelineLocation))
    throws
  {
    let output = RunOutput(verbose: verbose, quiet: quiet)
    let events = EventLog(echo: output.echoesEvents)
    let maxParallel = self.maxParallel ?? fallback
    let trigger: RunRecord.Trigger = manual || isatty(STDIN_FILENO) == 1 ? .manual : .scheduled
    let outcome = try CommandFailure.exitOnFailure(printing: output.showsErrors) {
      () throws -> (PipelineRun.Outcome, root: String)? in
      let (plan, location): (Plan, PipelineLocation)
      do {
        (plan, location) = try makePlan()
      } catch let failure as CommandFailure {
        if let refusal = failure.refusal, !dryRun {
          record(refusal, trigger: trigger, events: events, output: output)
        }
        throw failure
      }
      if output.showsErrors {
        for warning in plan.settings.warnings {
          StandardError.write("orchestrate: warning: \(warning)\n")
        }
      }
      if dryRun {
        print(PlanDescription.render(plan, maxParallel: maxParallel))
        return nil
      }
      let layout = RootLayout(root: location.root)
      do {
        let outcome = try PipelineRun.execute(
          plan,
          options: .init(
            layout: layout, maxParallel: maxParallel, trigger: trigger,
            reportDirectory: reportDirectory, report: RunEndReport()),
          events: events)
        return (outcome, layout.root)
      } catch let failure as PipelineRun.Failure {
        if case .interrupted(let signal) = failure { SignalTrap.reraise(signal) }
        if case .setup(let reason) = failure {
          // The machine refused (a folder that cannot be written, a full disk).
          record(
            RunRefusal(
              reason: reason, argument: plan.pipeline.file, file: plan.pipeline.file,
              root: location.root, plan: plan),
            trigger: trigger, events: events, output: output)
        }
        throw CommandFailure(message: failure.description, exitCode: failure.exitCode)
      }
    }
    guard let (outcome, root) = outcome else { return }
    if let text = output.finalText(
      outcome.record, metricsFile: outcome.metricsFile, root: root, problems: events.problems)
    {
      print(text)
    }
    fflush(nil)
    if let problem = outcome.recordError {
      if output.showsErrors {
        StandardError.write(
          ("orchestrate: the run ended \(outcome.record.status.rawValue) but its final record "
            + "could not be written (\(problem)); the next run of \(outcome.record.pipeline) "
            + "settles it from its journal\n"))
      }
      throw ExitCode(outcome.exitCode)
    }
    // A signal that arrived after the tasks were done still says how the
    // process ended: a run that received SIGTERM never exits 0.
    if let signal = outcome.signal ?? SignalTrap.firstReceived { SignalTrap.reraise(signal) }
    if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
  }

  /// Records a refused run and tells its channels; what went wrong doing
  /// so (a channel that did not answer) is printed as a warning.
  private func record(
    _ refusal: RunRefusal, trigger: RunRecord.Trigger, events: EventLog, output: RunOutput
  ) {
    _ = RefusedRun.record(
      refusal, trigger: trigger, inherited: ProcessInfo.processInfo.environment, events: events)
    guard output.showsErrors else { return }
    for problem in events.problems { StandardError.write("orchestrate: warning: \(problem)\n") }
  }
}
