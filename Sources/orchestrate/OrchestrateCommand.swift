import ArgumentParser
import FoundationEssentials
import Glibc
import OrchestrateKit

@main
struct OrchestrateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "orchestrate",
    abstract: "Run data pipelines from cron: every task a child process, every run a metrics file.",
    usage: """
      orchestrate <pipeline> [<options>]
      orchestrate <subcommand> [<arguments>]
      """,
    discussion: """
      The common form runs a pipeline: a YAML or JSON file, or a bare name \
      looked up in <root>/pipelines/ (run is the default command).

        orchestrate daily.yaml
        orchestrate daily.yaml --dry-run
        orchestrate validate daily.yaml
        orchestrate status --check
        orchestrate logs --last daily

      Exit codes: 0 all tasks completed, 1 some did not, 2 usage or pipeline \
      error, 75 another run holds the lock, 130/143 cancelled by SIGINT/SIGTERM.
      """,
    version: OrchestrateVersion.current,
    subcommands: [
      RunCommand.self, ValidateCommand.self, StatusCommand.self, LogsCommand.self,
      RotateCommand.self, ScheduleCommand.self, BackfillCommand.self, RerunCommand.self,
      ReportCommand.self, ServeCommand.self, TaskWrapperCommand.self, NotifyCommand.self,
    ],
    defaultSubcommand: RunCommand.self)

  /// Usage errors exit 2, as the exit codes in docs/failures.md promise (the
  /// argument parser's own default is 64).
  static func main() {
    // First: a signal from now on waits for the run's handler instead of
    // killing a half-started run or being lost.
    SignalTrap.blockAtStart()
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      if exitCode(for: error) == .validationFailure {
        StandardError.write((fullMessage(for: error) + "\n"))
        Glibc.exit(2)
      }
      exit(withError: error)
    }
  }
}
