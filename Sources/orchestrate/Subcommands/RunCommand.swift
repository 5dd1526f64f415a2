import ArgumentParser
import Foundation
import OrchestrateKit

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run a pipeline (the default command).")

  @OptionGroup var options: PipelineOptions
  @OptionGroup var parameters: ParameterOptions

  @Flag(help: "Print the plan; run nothing, write nothing.")
  var dryRun = false

  @Option(help: "Run at most this many tasks at once (overrides max_parallel).")
  var maxParallel: Int?

  @Flag(help: "Record the run as manual even without a terminal.")
  var manual = false

  func validate() throws {
    if let maxParallel, maxParallel < 1 {
      throw ValidationError("--max-parallel must be at least 1, got \(maxParallel)")
    }
  }

  func run() throws {
    let outcome = try CommandFailure.exitOnFailure { () throws -> PipelineRun.Outcome? in
      let (plan, location) = try options.plan(parameters.request)
      for warning in plan.settings.warnings {
        FileHandle.standardError.write(Data("orchestrate: warning: \(warning)\n".utf8))
      }
      if dryRun {
        print(PlanDescription.render(plan, maxParallel: maxParallel))
        return nil
      }
      let trigger: RunRecord.Trigger = manual || isatty(STDIN_FILENO) == 1 ? .manual : .scheduled
      do {
        return try PipelineRun.execute(
          plan,
          options: .init(
            layout: RootLayout(root: location.root), maxParallel: maxParallel, trigger: trigger),
          events: EventLog())
      } catch let failure as PipelineRun.Failure {
        if case .interrupted(let signal) = failure { SignalTrap.reraise(signal) }
        throw CommandFailure(message: failure.description, exitCode: failure.exitCode)
      }
    }
    guard let outcome else { return }
    print(
      RunSummary.render(outcome.record, metricsFile: outcome.metricsFile, style: .detect()))
    fflush(nil)
    if let problem = outcome.recordError {
      FileHandle.standardError.write(
        Data(
          ("orchestrate: the run ended \(outcome.record.status.rawValue) but its final record "
            + "could not be written (\(problem)); the next run of \(outcome.record.pipeline) "
            + "settles it from its journal\n").utf8))
      throw ExitCode(outcome.exitCode)
    }
    // A signal that arrived after the tasks were done still says how the
    // process ended: a run that received SIGTERM never exits 0.
    if let signal = outcome.signal ?? SignalTrap.firstReceived { SignalTrap.reraise(signal) }
    if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
  }
}
