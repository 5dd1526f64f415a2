import ArgumentParser
import Foundation
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

  @Argument(help: "Only this pipeline (its directory name under logs/).")
  var pipeline: String?

  @OptionGroup var rootOption: RootOption

  @Flag(help: "Print what would be done; change nothing.")
  var dryRun = false

  func run() throws {
    let stop = StopRequest()
    let trap = SignalTrap(queue: DispatchQueue(label: "orchestrate.rotate-signals")) {
      stop.request(signal: $0)
    }
    let reports = try CommandFailure.exitOnFailure {
      do {
        return try OnDemandRotation.rotate(
          layout: rootOption.layout, only: pipeline, dryRun: dryRun,
          shouldStop: { stop.isRequested },
          onStep: { pipeline, step in
            if case .failed = step.outcome { return }
            print("\(pipeline): \(RotationReport.describe(step, dryRun: dryRun))")
            fflush(nil)
          })
      } catch let error as OnDemandRotation.UnknownPipeline {
        throw CommandFailure(message: error.description, exitCode: 2)
      }
    }
    trap.cancel()
    if reports.isEmpty && pipeline == nil {
      print("nothing to rotate: no pipeline has logs in \(rootOption.layout.logsDirectory)")
    }
    for report in reports {
      if let skipped = report.skipped { print("\(report.pipeline): skipped: \(skipped)") }
      if report.steps.isEmpty && report.skipped == nil && report.failure == nil {
        let policy = report.policy.map { " (\(RotationReport.describe($0)))" } ?? ""
        print("\(report.pipeline): nothing to do\(policy)")
      }
      for error in report.errors {
        FileHandle.standardError.write(Data("orchestrate: \(report.pipeline): \(error)\n".utf8))
      }
    }
    fflush(nil)
    if let signal = stop.signal { SignalTrap.reraise(signal) }
    if reports.contains(where: { !$0.errors.isEmpty }) { throw ExitCode(1) }
  }
}
