import FoundationEssentials
import OrchestrateKit

/// The machine checks at the start of a run, before anything is created:
/// errors refuse the run (exit 2), warnings go to stderr with the plan's
/// other warnings and into the record's `warnings`.
enum PreflightGate {
  static func checked(_ plan: Plan, location: PipelineLocation, argument: String) throws -> Plan {
    let root = location.root
    let findings = Preflight.check(
      plan, root: root, inherited: ProcessInfo.processInfo.environment, runningOnly: true
    ).located()
    if !findings.errors.isEmpty {
      throw CommandFailure(
        message: findings.errors.map(\.description).joined(separator: "\norchestrate: "),
        exitCode: 2,
        refusal: RunRefusal(
          reason: findings.errors.map(\.description).joined(separator: "; "), argument: argument,
          file: location.file, root: root, plan: plan))
    }
    var plan = plan
    plan.settings.warnings += findings.warnings.map(\.description)
    // The run goes on; its failure would reach nobody, which the record and
    // the cron mail say.
    plan.settings.warnings += NotifyVariables.missing(
      plan, inherited: ProcessInfo.processInfo.environment
    ).map { PipelineLoader.locate($0).description }
    return plan
  }
}
