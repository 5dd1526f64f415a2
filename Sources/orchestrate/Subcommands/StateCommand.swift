import ArgumentParser
import FoundationEssentials
import Glibc
import OrchestrateKit

struct StateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "state",
    abstract: "List the kept states of a pipeline's tasks, show a version's files, roll one back.",
    discussion: """
      A task with `state:` keeps a directory from one run to the next; a run \
      commits the task's copy only when the task completes (docs/state.md). \
      Versions are named by the run that committed them; * marks the current \
      one. --rollback makes an older version current, under the pipeline's \
      lock, and records it in the state's changes.log: \
      orchestrate state nightly extract --source geo --rollback RUN --why "bad input"
      """)

  @Argument(
    help: "Pipeline name (its folder under metrics/).", completion: Completions.recordedPipeline)
  var pipeline: String

  @Argument(help: "Only this task's state.")
  var task: String?

  @Argument(help: "With --show: the version (a run id; default: the current one).")
  var version: String?

  @Option(help: "The source, for a task with for_each_source.")
  var source: String?

  @OptionGroup var rootOption: RootOption

  @Flag(help: "Print the listing as one JSON document (docs/state.schema.json).")
  var json = false

  @Flag(help: "List the files of a version, with their sizes.")
  var show = false

  @Option(help: ArgumentHelp("Make this older version current.", valueName: "run"))
  var rollback: String?

  @Option(
    help: ArgumentHelp("Why, for the state's changes.log (with --rollback).", valueName: "text"))
  var why: String?

  func validate() throws {
    if show && rollback != nil {
      throw ValidationError("--show and --rollback cannot be used together")
    }
    if (show || rollback != nil) && task == nil {
      throw ValidationError("--\(show ? "show" : "rollback") needs a TASK")
    }
    if version != nil && !show { throw ValidationError("a VERSION goes with --show") }
    if why != nil && rollback == nil { throw ValidationError("--why goes with --rollback") }
    if json && rollback != nil { throw ValidationError("--json goes with the listing or --show") }
  }

  func run() throws {
    let layout = rootOption.layout
    let listing = try CommandFailure.exitOnFailure {
      do {
        return try StateListing.collect(
          layout: layout, pipeline: pipeline, task: task, source: source)
      } catch {
        throw CommandFailure(message: "\(error)", exitCode: 2)
      }
    }
    guard show || rollback != nil else {
      if json {
        print(String(decoding: try RecordCoding.encoder().encode(listing), as: UTF8.self))
      } else {
        print(StateTable.render(listing))
      }
      return
    }
    let state = try CommandFailure.exitOnFailure { try single(listing) }
    let store = StateStore(
      layout: layout, pipeline: pipeline, task: state.task, source: state.source)
    if show {
      try CommandFailure.exitOnFailure { try showFiles(version ?? "current", of: state, in: store) }
    } else if let rollback {
      try CommandFailure.exitOnFailure { try roll(back: rollback, in: store, state: state) }
    }
  }

  /// The one state --show and --rollback act on.
  private func single(_ listing: StateListing) throws -> StateListing.TaskState {
    let name = TerminalText.escaped(task ?? "")
    switch listing.states.count {
    case 1: return listing.states[0]
    case 0:
      throw CommandFailure(
        message: "no kept state for task \(name) of \(TerminalText.escaped(pipeline))"
          + (source.map { " (source \(TerminalText.escaped($0)))" } ?? ""), exitCode: 1)
    default:
      let sources = listing.states.compactMap(\.source).joined(separator: ", ")
      throw CommandFailure(
        message: "task \(name) keeps one state per source; name one with --source (\(sources))",
        exitCode: 2, isUsage: true)
    }
  }

  private func showFiles(
    _ version: String, of state: StateListing.TaskState, in store: StateStore
  ) throws {
    let chosen = version == "current" ? state.current : version
    guard let chosen, state.versions.contains(where: { $0.version == chosen }) else {
      throw CommandFailure(
        message: "no version \(TerminalText.escaped(version)) of \(state.task)"
          + " (versions: \(state.versions.map(\.version).joined(separator: ", ")))", exitCode: 1)
    }
    if json {
      let files = StateFiles(
        pipeline: pipeline, task: state.task, source: state.source, version: chosen,
        store: store)
      print(String(decoding: try RecordCoding.encoder().encode(files), as: UTF8.self))
    } else {
      print(StateTable.renderFiles(of: store, version: chosen))
    }
  }

  /// Under the pipeline's lock: a run commits to the same `current`.
  private func roll(back version: String, in store: StateStore, state: StateListing.TaskState)
    throws
  {
    let user = ProcessIdentity.userName(ProcessInfo.processInfo.environment)
    let lock: RunLock
    do {
      lock = try RunLock(
        path: rootOption.layout.lockFile(pipeline: pipeline), pipeline: pipeline,
        holder: "state --rollback (pid \(getpid()), since \(Timestamp.format(Date())))")
    } catch {
      if case .held = error { throw CommandFailure(message: error.description, exitCode: 75) }
      throw CommandFailure(message: error.description, exitCode: 1)
    }
    defer { withExtendedLifetime(lock) {} }
    let from: String?
    do {
      from = try store.rollback(to: version, user: user, why: why)
    } catch {
      throw CommandFailure(message: "cannot roll back: \(error)", exitCode: 1)
    }
    let name = state.source.map { "\(state.task)[\($0)]" } ?? state.task
    print(
      "\(TerminalText.escaped(name)): state rolled back from \(from ?? "no version") to "
        + "\(version) by \(TerminalText.escaped(user))"
        + (why.map { " (\(TerminalText.escaped($0)))" } ?? "")
        + "; recorded in \(TerminalText.escaped(store.ledgerFile))")
  }
}
