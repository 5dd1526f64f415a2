import ArgumentParser
import FoundationEssentials
import Glibc
import OrchestrateKit

/// Runs one task of a Slurm job on its node; the job script's only command.
struct TaskWrapperCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "task-wrapper",
    abstract: "Run one task on a compute node and write its result (used in Slurm job scripts).",
    shouldDisplay: false)

  @Option(help: "Where to write how the task ended.")
  var result: String

  @Argument(parsing: .postTerminator, help: "The task's program and arguments.")
  var command: [String] = []

  func run() throws {
    Glibc.exit(TaskWrapper.run(command: command, resultPath: result))
  }
}
