import Foundation
import Testing

@testable import OrchestrateStatus

/// `report: {path: DIR}`: where a run's end updates the HTML report.
@Suite struct ReportFieldTests {
  @Test func pathIsRelativeToTheRootUnlessAbsoluteAndTheOptionWins() throws {
    let layout = RootLayout(root: "/srv/etl")
    let relative = try parse("report: {path: site/etl}\ntasks: [{name: a, run: x}]")
    #expect(relative.reportPath == "site/etl")
    #expect(
      PipelineRun.reportDirectory(option: nil, pipeline: relative, layout: layout)
        == "/srv/etl/site/etl")
    #expect(
      PipelineRun.reportDirectory(option: "/var/www/etl", pipeline: relative, layout: layout)
        == "/var/www/etl")
    let absolute = try parse(
      #"{"report": {"path": "/var/www"}, "tasks": [{"name": "a", "run": "x"}]}"#)
    #expect(
      PipelineRun.reportDirectory(option: nil, pipeline: absolute, layout: layout) == "/var/www")
    let none = try parse("tasks: [{name: a, run: x}]")
    #expect(PipelineRun.reportDirectory(option: nil, pipeline: none, layout: layout) == nil)
  }

  @Test(arguments: [
    (
      "report: {path: ''}\ntasks: [{name: a, run: x}]", "p.yaml:1:16: report.path",
      "must name a directory"
    ),
    ("report: {}\ntasks: [{name: a, run: x}]", "p.yaml:1:9: report.path", "is required"),
    ("report: site\ntasks: [{name: a, run: x}]", "p.yaml:1:9: report", "expected a mapping"),
    (
      "tasks: [{name: a, run: x}]\nreport:\n  path: site\n  days: 3", "p.yaml:4:9: report.days",
      "unknown field 'days'"
    ),
  ])
  func mistakesNameLineColumnAndField(text: String, location: String, message: String) throws {
    let error = try #require(rejection(text), "accepted: \(text)")
    #expect(error.description.hasPrefix(location), "\(error)")
    #expect(error.description.contains(message), "\(error)")
  }
}
