import ArgumentParser
import Dispatch
import FoundationEssentials
import Glibc
import OrchestrateKit

struct RotateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rotate",
    abstract: "Compress and delete old run logs, as each pipeline's `logs:` policy says.",
    discussion: """
      Every pipeline under <root>/logs/ is rotated by the policy in its file in \
      <root>/pipelines/ (the defaults when it has none), under its run lock: a \
      pipeline with a run in progress is skipped. Runs also rotate their own \
      pipeline's logs when they end.
      """)

  @Argument(
    help: "Only this pipeline (its directory name under logs/).",
    completion: Completions.recordedPipeline)
  var pipeline: String?

  @OptionGroup var rootOption: RootOption

  @Flag(help: "Print the plan, oldest run first, with totals; change nothing.")
  var dryRun = false

  @Flag(name: .shortAndLong, help: "List each action as it is done.")
  var verbose = false

  @Flag(name: .shortAndLong, help: "Print nothing, not even problems: the exit code says it.")
  var quiet = false

  func validate() throws {
    if verbose && quiet { throw ValidationError("--verbose and --quiet exclude each other") }
  }

  /// Silent when every rotation went well (cron mails any output); the
  /// problems on stderr and exit 1 otherwise.
  func run() throws {
    let stop = StopRequest()
    let trap = SignalTrap(queue: DispatchQueue(label: "orchestrate.rotate-signals")) {
      stop.request(signal: $0)
    }
    let listsActions = verbose && !dryRun
    let reports = try CommandFailure.exitOnFailure(printing: !quiet) {
      do {
        return try OnDemandRotation.rotate(
          layout: rootOption.layout, only: pipeline, dryRun: dryRun,
          shouldStop: { stop.isRequested },
          onStep: { pipeline, step in
            guard listsActions else { return }
            if case .failed = step.outcome { return }
            print("\(pipeline): \(RotationReport.describe(step, dryRun: false))")
            fflush(nil)
          })
      } catch let error as OnDemandRotation.UnknownPipeline {
        throw CommandFailure(message: error.description, exitCode: 2)
      }
    }
    trap.cancel()
    if !quiet { show(reports) }
    fflush(nil)
    if let signal = stop.signal { SignalTrap.reraise(signal) }
    if reports.contains(where: { !$0.errors.isEmpty }) { throw ExitCode(1) }
  }

  private func show(_ reports: [RotationReport]) {
    let talks = verbose || dryRun
    if talks && reports.isEmpty && pipeline == nil {
      print("nothing to rotate: no pipeline has logs in \(rootOption.layout.logsDirectory)")
    }
    for report in reports {
      if dryRun {
        if report.steps.isEmpty && report.skipped == nil && report.failure == nil {
          print("\(report.pipeline): nothing to do\(policy(of: report))")
        }
        for line in report.planLines where !line.hasPrefix("error: ") {
          print("\(report.pipeline): \(line)")
        }
      } else if verbose {
        if let skipped = report.skipped { print("\(report.pipeline): skipped: \(skipped)") }
        if report.steps.isEmpty && report.skipped == nil && report.failure == nil {
          print("\(report.pipeline): nothing to do\(policy(of: report))")
        }
      }
      for error in report.errors {
        StandardError.write("orchestrate: \(report.pipeline): \(error)\n")
      }
    }
  }

  private func policy(of report: RotationReport) -> String {
    report.policy.map { " (\(RotationReport.describe($0)))" } ?? ""
  }
}
