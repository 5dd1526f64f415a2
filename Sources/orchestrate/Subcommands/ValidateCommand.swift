import ArgumentParser
import FoundationEssentials
import OrchestrateKit

struct ValidateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate",
    abstract:
      "Check a pipeline file and what it needs on this machine: exit 0 when it can run, 2 when not.",
    discussion: """
      Beyond the file itself: every argv[0] and shell: program resolves on the \
      PATH the task will have and is executable, every working_directory exists, \
      every environment's env_file exists and can be read. A missing path that a \
      task running before it names (mkdir -p out, python3 -m venv venv) is a \
      warning; --strict makes warnings errors too.
      """)

  @OptionGroup var options: PipelineOptions
  @OptionGroup var parameters: ParameterOptions
  @OptionGroup var logicalDate: LogicalDateOption

  @Flag(
    help:
      "Exit 2 on warnings too (a path an earlier task is expected to create, an env_file others can read)."
  )
  var strict = false

  @Flag(
    help:
      "Check with the environment cron gives a job (PATH=/usr/bin:/bin, SHELL, HOME, LOGNAME, USER) instead of this shell's."
  )
  var asCron = false

  func run() throws {
    var request = parameters.request(date: logicalDate.date)
    request.allowsMissing = true
    let (plan, location) = try CommandFailure.exitOnFailure { try options.plan(request) }
    let programs = SlurmClient.missingPrograms(for: plan)
    if !programs.isEmpty {
      StandardError.write(
        ("\(location.file): executor: slurm needs \(programs.joined(separator: ", ")), "
          + "not found in PATH\n"))
      throw ExitCode(2)
    }
    let cron = CronEnvironment.forCurrentUser()
    let inherited = asCron ? cron : ProcessInfo.processInfo.environment
    let findings = MachineCheck.run(plan, root: location.root, inherited: inherited)
    let environmentFiles = Preflight.checkEnvironmentFiles(plan.pipeline, root: location.root)
      .map(PipelineLoader.locate)
    var errors = findings.errors
    // A scheduled pipeline runs from cron: what fails only there fails at night.
    if !asCron && plan.pipeline.schedule != nil {
      let taken = Set(errors.map { "\($0.line ?? 0) \($0.field ?? "")" })
      errors += MachineCheck.run(plan, root: location.root, inherited: cron).errors
        .filter { !taken.contains("\($0.line ?? 0) \($0.field ?? "")") }
        .map { error in
          var underCron = error
          underCron.message = "under cron: \(error.message)"
          return underCron
        }
    }
    let warnings =
      plan.settings.warnings + (findings.warnings + environmentFiles).map(\.description)
    for error in errors { printError(error.description) }
    if !errors.isEmpty {
      if asCron { printError("(as cron runs it: \(CronEnvironment.describe(cron)))") }
      throw ExitCode(2)
    }
    if strict && !warnings.isEmpty {
      for warning in warnings { printError("\(warning) (--strict)") }
      throw ExitCode(2)
    }
    print("\(location.file): ok, \(plan.pipeline.tasks.count) task(s), \(plan.steps.count) to run")
    if asCron { print("  as cron runs it: \(CronEnvironment.describe(cron))") }
    let missing = plan.pipeline.parameters.filter { plan.settings.values[$0.name] == nil }
    if !missing.isEmpty {
      print(
        "  required at run time: " + missing.map { "--param \($0.name)=…" }.joined(separator: " "))
    }
    for warning in warnings { print("  warning: \(warning)") }
  }

  private func printError(_ message: String) {
    StandardError.write("orchestrate: \(message)\n")
  }
}
