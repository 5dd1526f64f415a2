import ArgumentParser
import FoundationEssentials
import Glibc
import OrchestrateKit

struct ItemsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "items",
    abstract:
      "Show the items a pipeline's tasks reported: counts per stage, backlog, stuck items, failures.",
    discussion: """
      Tasks report items by appending JSON lines to $ORCHESTRATE_ITEMS (docs/items.md). \
      The ids of the items parsed but not yet embedded, for a task to work through: \
      orchestrate items omics --stage parsed --status done --next-stage-missing --ids
      """)

  @Argument(
    help: "The pipeline: its name (its file is looked up in <root>/pipelines/) or its file.",
    completion: Completions.recordedPipeline)
  var pipeline: String

  @OptionGroup var rootOption: RootOption

  @Option(help: "Only item states in this stage.")
  var stage: String?

  @Option(
    help: ArgumentHelp(
      "Only item states with this status: \(ItemStatus.allCases.map(\.rawValue).joined(separator: ", ")).",
      valueName: "status"))
  var status: String?

  @Option(help: ArgumentHelp("Every event of this item, with its run and task.", valueName: "id"))
  var item: String?

  @Option(
    name: .customLong("older-than"),
    help: ArgumentHelp(
      "Only item states older than this (90s, 45m, 6h, 2d).", valueName: "duration"))
  var olderThan: String?

  @Flag(
    name: .customLong("next-stage-missing"),
    help: "Only items with no word yet in the stage after the selected one.")
  var nextStageMissing = false

  @Option(help: ArgumentHelp("Show at most N selected rows (default 50; 0: all).", valueName: "n"))
  var limit: Int?

  @Flag(help: "Print the report as one JSON document (docs/items.schema.json).")
  var json = false

  @Flag(help: "Print only the selected item ids, one per line (every one of them).")
  var ids = false

  private func filter() throws -> ItemsReport.Filter {
    var filter = ItemsReport.Filter()
    if let stage {
      if let problem = ItemSettings.stageProblem(stage) {
        throw ValidationError("--stage '\(stage)' \(problem)")
      }
      filter.stage = stage
    }
    if let status {
      guard let parsed = ItemStatus(rawValue: status) else {
        throw ValidationError(
          "--status '\(status)' is not one of \(ItemStatus.allCases.map(\.rawValue).joined(separator: ", "))"
        )
      }
      filter.status = parsed
    }
    if let olderThan {
      guard case .success(let duration) = DurationText.read(olderThan) else {
        throw ValidationError("--older-than '\(olderThan)' is not a duration (90s, 45m, 6h, 2d)")
      }
      filter.olderThan = duration
    }
    if let item {
      if let problem = ItemLimits.itemProblem(item) {
        throw ValidationError("--item \(problem)")
      }
      filter.item = item
    }
    filter.nextStageMissing = nextStageMissing
    if let limit {
      guard limit >= 0 else { throw ValidationError("--limit must be 0 or more, got \(limit)") }
      filter.limit = limit
    }
    if ids {
      if json { throw ValidationError("--ids and --json print different things; keep one") }
      guard filter.selects else {
        throw ValidationError(
          "--ids prints the items a filter selects: add --stage, --status, --older-than or --next-stage-missing"
        )
      }
      filter.limit = 0
    }
    return filter
  }

  func validate() throws { _ = try filter() }

  func run() throws {
    let filter = try filter()
    let environment = ProcessInfo.processInfo.environment
    let (name, settings, layout) = try CommandFailure.exitOnFailure { try target(environment) }
    let report = try CommandFailure.exitOnFailure {
      do {
        return try ItemsReport.collect(
          pipeline: name, layout: layout, settings: settings, filter: filter)
      } catch {
        throw CommandFailure(message: "\(error)", exitCode: 1)
      }
    }
    if ids {
      var seen = Set<String>()
      var out = ""
      for ref in report.selection ?? [] where seen.insert(ref.item).inserted {
        out += TerminalText.escaped(ref.item) + "\n"
      }
      FileDescriptor.writeAll(out, to: STDOUT_FILENO)
    } else if json {
      print(String(decoding: try RecordCoding.encoder().encode(report), as: UTF8.self))
    } else {
      print(ItemsTable.render(report, style: .detect(), width: TerminalWidth.detect()))
    }
  }

  /// The pipeline's name, its item settings and its root: from its file
  /// when there is one, else the name alone with the settings' defaults.
  private func target(_ environment: [String: String]) throws -> (
    String, ItemSettings, RootLayout
  ) {
    if let location = try? PipelineLocator.locate(
      pipeline, rootOption: rootOption.root, environment: environment)
    {
      do {
        let loaded = try PipelineLoader.load(file: location.file)
        return (loaded.name, loaded.items, RootLayout(root: location.root))
      } catch {
        throw CommandFailure(message: error.description, exitCode: 2)
      }
    }
    if let problem = Names.problem(with: pipeline) {
      throw CommandFailure(message: "pipeline name '\(pipeline)' \(problem)", exitCode: 2)
    }
    let layout = rootOption.layout
    guard ItemLedger(layout: layout, pipeline: pipeline).exists else {
      throw CommandFailure(
        message:
          "no pipeline '\(pipeline)' in \(layout.root)/pipelines and no items recorded for it",
        exitCode: 2)
    }
    return (pipeline, ItemSettings(), layout)
  }
}
