import ArgumentParser
import FoundationEssentials
import OrchestrateKit

struct RunsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "runs",
    abstract: "List recent runs, newest first: read from the status index under metrics/.",
    discussion: """
      --since and --until take a date (2026-11-20: that local day's start, for \
      --until its end), a time (2026-11-20T02:00 local, or with Z or +01:00) or a \
      duration back from now (14d, 36h). The failed prod runs of the last two weeks: \
      orchestrate runs --status failed,partial -e prod --since 14d
      """)

  @Argument(
    help: "Pipeline names; default: every pipeline under metrics/.",
    completion: Completions.recordedPipeline)
  var pipelines: [String] = []

  @OptionGroup var rootOption: RootOption

  @Option(
    name: .customLong("status"),
    help: ArgumentHelp(
      "Only runs with this status: \(RunStatus.allCases.map(\.rawValue).joined(separator: ", ")) (repeatable, or comma-separated).",
      valueName: "status"))
  var statuses: [String] = []

  @Option(
    name: [.customShort("e"), .long], help: "Only this environment's runs.",
    completion: Completions.environment)
  var environment: String?

  @Option(help: ArgumentHelp("Only runs started at or after this moment.", valueName: "when"))
  var since: String?

  @Option(help: ArgumentHelp("Only runs started before this moment.", valueName: "when"))
  var until: String?

  @Option(
    help: ArgumentHelp(
      "Only runs started so: \(RunTrigger.allCases.map(\.rawValue).joined(separator: ", ")).",
      valueName: "trigger"))
  var trigger: String?

  @Option(
    help: ArgumentHelp(
      "Show at most N runs (default: \(RunFilter.defaultLimit); 0: every matching run).",
      valueName: "n"))
  var limit: String?

  @Flag(help: "Print the list as one JSON document (docs/runs.schema.json).")
  var json = false

  /// The filter as the words give it; refused values are usage errors.
  private func filter() throws -> RunFilter {
    var words = RunFilter.Words()
    words.pipelines = pipelines
    words.statuses = statuses
    words.environment = environment
    words.since = since
    words.until = until
    words.trigger = trigger
    words.limit = limit
    do {
      return try RunFilter(words)
    } catch {
      throw ValidationError("--\(error)")
    }
  }

  func validate() throws { _ = try filter() }

  func run() throws {
    let filter = try filter()
    let list = try CommandFailure.exitOnFailure {
      do {
        return try RunListCollector.collect(layout: rootOption.layout, filter: filter)
      } catch let unknown as RunListCollector.UnknownPipeline {
        throw CommandFailure(message: unknown.description, exitCode: 2)
      }
    }
    if json {
      print(String(decoding: try RecordCoding.encoder().encode(list), as: UTF8.self))
    } else {
      print(
        RunsTable.render(
          list, filter: filter, style: .detect(), width: TerminalWidth.detect()))
      if let warning = StatusTable.unreadableWarning(list.unreadableFiles) {
        StandardError.write("orchestrate: \(warning)\n")
      }
    }
  }
}
