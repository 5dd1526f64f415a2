import ArgumentParser

struct PauseCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pause",
    abstract: "Pause a running run: its tasks stop where they are, no task starts.",
    discussion: """
      The run's orchestrator is sent SIGTSTP: it stops every running task's process \
      group (SIGSTOP; Slurm jobs through scontrol suspend), starts nothing, and stops \
      the clock of every timeout until the run is resumed. The record says paused_since.
        orchestrate pause RUN_ID
        orchestrate pause --last PIPELINE
      """)

  @OptionGroup var target: RunTarget

  func run() throws {
    try target.request(.pause)
  }
}
