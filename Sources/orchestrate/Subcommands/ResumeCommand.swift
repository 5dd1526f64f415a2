import ArgumentParser

struct ResumeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "resume",
    abstract: "Resume a paused run: its tasks go on, timeouts extended by the time paused.",
    discussion: """
      The run's orchestrator is sent SIGCONT: it continues every task it stopped and \
      starts what may start.
        orchestrate resume RUN_ID
        orchestrate resume --last PIPELINE
      """)

  @OptionGroup var target: RunTarget

  func run() throws {
    try target.request(.resume)
  }
}
