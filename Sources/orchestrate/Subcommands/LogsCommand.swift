import ArgumentParser
import FoundationEssentials
import Glibc
import OrchestrateKit

struct LogsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "logs",
    abstract: "Print a task's log from any run, compressed or not, or list a run's logs.",
    discussion: """
      orchestrate logs RUN_ID [TASK]
      orchestrate logs --last [PIPELINE] [TASK]
      orchestrate logs -f RUN_ID TASK
      """)

  @Argument(
    help: ArgumentHelp("A run id; with --last, a pipeline name.", valueName: "run-id"),
    completion: Completions.run)
  var runID: String?

  @Argument(
    help: """
      A task (extract: every instance of a per-source task; extract[geo]: one) or a file name \
      (orchestrate.log); omitted: list the run's logs.
      """,
    completion: Completions.task)
  var task: String?

  @Flag(help: "The newest run (of PIPELINE when given).")
  var last = false

  @Option(help: "Print only this attempt's output, byte for byte, with no header.")
  var attempt: Int?

  @Flag(name: [.customShort("f"), .long], help: "Follow a running task's output until it ends.")
  var follow = false

  @Flag(help: "List every file of the run, progress and journal files included.")
  var all = false

  @Flag(
    help: """
      On a terminal, print the log's bytes as they are: escape sequences a task wrote then \
      act on the terminal. Without it, control characters are shown escaped (\\e, \\r); \
      output to a file or a pipe is never changed.
      """)
  var raw = false

  @OptionGroup var rootOption: RootOption

  func validate() throws {
    if !last && runID == nil {
      throw ValidationError("give a run id, or --last for the newest run")
    }
    if (attempt != nil || follow) && task == nil {
      throw ValidationError("--attempt and --follow need a task")
    }
    if let attempt, attempt < 1 { throw ValidationError("--attempt must be at least 1") }
  }

  func run() throws {
    let filter = raw ? nil : TerminalOutputFilter.install()
    try CommandFailure.exitOnFailure {
      // What was printed before a failure is shown before its message.
      defer { filter?.finish() }
      let logs = RunLogs(layout: rootOption.layout)
      do {
        let stored = try last ? logs.newest(pipeline: runID) : logs.find(run: runID!)
        if let task {
          let printer = TaskLogPrinter(logs: logs, run: stored)
          if let attempt {
            try printer.printAttempt(attempt, of: task, to: STDOUT_FILENO)
          } else if follow {
            try TaskLogFollower(logs: logs, run: stored, task: task).follow(to: STDOUT_FILENO)
          } else {
            try printer.printAll(task, to: STDOUT_FILENO)
          }
        } else {
          let listing = RunLogListing(
            run: stored, files: try logs.files(of: stored), record: logs.record(of: stored))
          print(listing.render(root: logs.layout.root, all: all), terminator: "")
        }
      } catch let error as RunLogs.Failure {
        let exitCode: Int32 = if case .unreadable = error { 1 } else { 2 }
        throw CommandFailure(message: error.description, exitCode: exitCode)
      }
    }
  }
}
