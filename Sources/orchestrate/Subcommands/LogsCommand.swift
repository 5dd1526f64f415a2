import ArgumentParser
import Foundation
import OrchestrateKit

struct LogsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "logs",
    abstract: "Print a task's log from any run, compressed or not, or list a run's logs.",
    discussion: """
      orchestrate logs RUN_ID [TASK]
      orchestrate logs --last [PIPELINE] [TASK]
      """)

  @Argument(help: ArgumentHelp("A run id; with --last, a pipeline name.", valueName: "run-id"))
  var runID: String?

  @Argument(
    help: "A task (extract[geo]) or a file name (orchestrate.log); omitted: list the run's logs.")
  var task: String?

  @Flag(help: "The newest run (of PIPELINE when given).")
  var last = false

  @OptionGroup var rootOption: RootOption

  func validate() throws {
    if !last && runID == nil {
      throw ValidationError("give a run id, or --last for the newest run")
    }
  }

  func run() throws {
    try CommandFailure.exitOnFailure {
      let logs = RunLogs(layout: rootOption.layout)
      do {
        let stored = try last ? logs.newest(pipeline: runID) : logs.find(run: runID!)
        if let task {
          try logs.copy(task, of: stored, to: STDOUT_FILENO)
        } else {
          list(try logs.files(of: stored), of: stored, root: logs.layout.root)
        }
      } catch let error as RunLogs.Failure {
        let exitCode: Int32 = if case .unreadable = error { 1 } else { 2 }
        throw CommandFailure(message: error.description, exitCode: exitCode)
      }
    }
  }

  private func list(_ files: [ArchivedFile], of run: StoredRunLogs, root: String) {
    let source = RunLogs.source(of: run)
    let shown = source.hasPrefix(root + "/") ? String(source.dropFirst(root.count + 1)) : source
    print("\(run.name) (\(shown))")
    let sizes = files.map { ByteCount.format($0.size) }
    let width = sizes.map(\.count).max() ?? 0
    for (file, size) in zip(files, sizes) {
      print("  \(String(repeating: " ", count: width - size.count))\(size)  \(file.path)")
    }
  }
}
