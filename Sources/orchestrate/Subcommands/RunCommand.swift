import ArgumentParser
import Foundation
import OrchestrateKit

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run a pipeline (the default command).",
    discussion: """
      Without a terminal on stdout (cron, systemd, a pipe) a run that completes \
      without anomalies prints nothing; anything else prints a short report. On a \
      terminal: event lines, a live view of running tasks and a summary.
      """)

  @OptionGroup var options: PipelineOptions
  @OptionGroup var parameters: ParameterOptions

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

  func validate() throws {
    if let maxParallel, maxParallel < 1 {
      throw ValidationError("--max-parallel must be at least 1, got \(maxParallel)")
    }
    if verbose && quiet { throw ValidationError("--verbose and --quiet exclude each other") }
  }

  func run() throws {
    let output = RunOutput(verbose: verbose, quiet: quiet)
    let events = EventLog(echo: output.echoesEvents)
    let outcome = try CommandFailure.exitOnFailure(printing: output.showsErrors) {
      () throws -> (PipelineRun.Outcome, root: String)? in
      let (plan, location) = try options.plan(parameters.request)
      if output.showsErrors {
        for warning in plan.settings.warnings {
          FileHandle.standardError.write(Data("orchestrate: warning: \(warning)\n".utf8))
        }
      }
      if dryRun {
        print(PlanDescription.render(plan, maxParallel: maxParallel))
        return nil
      }
      let trigger: RunRecord.Trigger = manual || isatty(STDIN_FILENO) == 1 ? .manual : .scheduled
      let layout = RootLayout(root: location.root)
      do {
        let outcome = try PipelineRun.execute(
          plan, options: .init(layout: layout, maxParallel: maxParallel, trigger: trigger),
          events: events)
        return (outcome, layout.root)
      } catch let failure as PipelineRun.Failure {
        if case .interrupted(let signal) = failure { SignalTrap.reraise(signal) }
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
        FileHandle.standardError.write(
          Data(
            ("orchestrate: the run ended \(outcome.record.status.rawValue) but its final record "
              + "could not be written (\(problem)); the next run of \(outcome.record.pipeline) "
              + "settles it from its journal\n").utf8))
      }
      throw ExitCode(outcome.exitCode)
    }
    // A signal that arrived after the tasks were done still says how the
    // process ended: a run that received SIGTERM never exits 0.
    if let signal = outcome.signal ?? SignalTrap.firstReceived { SignalTrap.reraise(signal) }
    if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
  }
}
