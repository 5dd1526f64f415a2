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
        orchestrate runs --status failed --since 14d
        orchestrate logs --last daily

      Exit codes: 0 all tasks completed, 1 some did not, 2 usage or pipeline \
      error, 75 another run holds the lock, 130/143 cancelled by SIGINT/SIGTERM.
      """,
    version: OrchestrateVersion.current,
    subcommands: [
      RunCommand.self, ValidateCommand.self, StatusCommand.self, RunsCommand.self, LogsCommand.self,
      RotateCommand.self, ScheduleCommand.self, BackfillCommand.self, RerunCommand.self,
      StateCommand.self,
      ReportCommand.self, ServeCommand.self, TaskWrapperCommand.self, NotifyCommand.self,
      PauseCommand.self, ResumeCommand.self, ItemsCommand.self,
    ],
    defaultSubcommand: RunCommand.self)

  /// Usage errors exit 2, as the exit codes in docs/failures.md promise (the
  /// argument parser's own default is 64), in the one style of UsageMessage.
  static func main() {
    // First: a signal from now on waits for the run's handler instead of
    // killing a half-started run or being lost.
    SignalTrap.blockAtStart()
    let arguments = Array(CommandLine.arguments.dropFirst())
    if let mistyped = MistypedCommand.message(
      arguments, commands: subcommandNames, environment: ProcessInfo.processInfo.environment)
    {
      StandardError.write(UsageMessage.render(mistyped, command: "orchestrate"))
      Glibc.exit(2)
    }
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      if exitCode(for: error) == .validationFailure {
        // Nothing typed at all: what to type is the answer.
        StandardError.write(
          arguments.isEmpty
            ? helpMessage() + "\n"
            : UsageMessage.render(message(for: error), command: CommandPath.of(arguments)))
        Glibc.exit(2)
      }
      exit(withError: error)
    }
  }

  /// The subcommands `--help` lists.
  static var subcommandNames: [String] {
    configuration.subcommands.filter { $0.configuration.shouldDisplay }
      .compactMap { $0.configuration.commandName }
  }
}
