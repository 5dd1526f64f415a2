import ArgumentParser
import FoundationEssentials
import OrchestrateKit

struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Write an HTML report of the runs: self-contained pages, readable from file://.",
    discussion: """
      Writes index.html (every pipeline), pipelines/NAME.html and runs/RUN_ID.html \
      for each pipeline's newest runs. Pages whose text did not change are left alone.
      """)

  @Argument(help: "Pipelines to report on (default: every pipeline under metrics/).")
  var pipelines: [String] = []

  @Option(
    name: .customLong("run"),
    help: "Write only this run's page, its pipeline's page and the overview.")
  var runID: String?

  @Option(help: "Statistics cover runs started in the last N days.")
  var days = 7

  @Option(
    name: [.customShort("e"), .long],
    help: "Judge only this environment's runs (each environment is judged on its own).")
  var environment: String?

  @Option(
    name: [.customShort("o"), .long], help: "Where to write the pages (default: <root>/report).")
  var output: String?

  @OptionGroup var rootOption: RootOption

  func validate() throws {
    if days < 1 { throw ValidationError("--days must be at least 1, got \(days)") }
  }

  func run() throws {
    let layout = rootOption.layout
    let directory =
      output.map {
        $0.hasPrefix("/") ? $0 : FileManager.default.currentDirectoryPath + "/" + $0
      } ?? layout.root + "/report"
    let site = ReportSite(
      source: ReportSource(layout: layout, windowDays: days, environment: environment),
      directory: directory)
    let outcome = try CommandFailure.exitOnFailure {
      do {
        return try site.write(pipelines: pipelines.isEmpty ? nil : pipelines, run: runID)
      } catch let error as ReportSite.Failure {
        throw CommandFailure(message: error.description, exitCode: 2)
      }
    }
    print(
      "\(site.directory)/index.html: \(outcome.written.count) page(s) written, \(outcome.unchanged) unchanged"
    )
  }
}
