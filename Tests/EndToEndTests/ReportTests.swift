import Foundation
import OrchestrateKit
import Testing

/// `orchestrate report` on real runs: files written, pages self-contained
/// and strictly valid, links relative and working, nothing rewritten twice.
@Suite struct ReportTests {
  static let pipeline = """
    max_parallel: 2
    tasks:
      - name: extract
        run: 'echo "{\\"done\\": 5, \\"total\\": 5, \\"phase\\": \\"loading\\"}" >> "$ORCHESTRATE_PROGRESS"; echo "{\\"rows\\": 42}" >> "$ORCHESTRATE_METRICS"'
      - name: flaky
        retries: 1
        retry_delay: 100ms
        run: 'echo "<b>not markup</b>" >&2; exit 3'
      - name: load
        depends_on: [extract]
        run: 'true'
    """

  func preparedRoot() throws -> (TestRoot, [RunRecord]) {
    let root = TestRoot()
    root.write("pipelines/nightly.yaml", Self.pipeline)
    for _ in 0..<2 { try Orchestrate.run(["nightly", "--root", root.path]) }
    return (root, try root.records("nightly"))
  }

  @Test func writesSelfContainedPagesWithWorkingLinks() throws {
    let (root, records) = try preparedRoot()
    #expect(records.count == 2)
    let report = try Orchestrate.run(["report", "--root", root.path])
    #expect(report.exitCode == 0, "\(report.stderr)")
    #expect(report.stdout.contains("report/index.html: 5 page(s) written"), "\(report.stdout)")

    let pages =
      ["report/index.html", "report/pipelines/nightly.html"]
      + records.map { "report/runs/\($0.runId).html" }
    for page in pages {
      let html = try #require(root.read(page), "\(page) was not written")
      #expect(ReportPages.externalReferences(html).isEmpty, "\(page)")
      let directory = (root.path + "/" + page as NSString).deletingLastPathComponent
      #expect(ReportPages.brokenLinks(html, in: directory).isEmpty, "\(page)")
      #expect(!html.contains("<script"), "\(page): a written page needs no script")
    }
    #expect(try ReportPages.strictParseErrors(pages.map { root.path + "/" + $0 }) == "")

    let overview = try #require(root.read("report/index.html"))
    #expect(overview.contains("nightly"))
    #expect(overview.contains("CRITICAL") || overview.contains("WARNING"))
    #expect(overview.contains("partial"))
    let run = try #require(root.read("report/runs/\(records[1].runId).html"))
    #expect(run.contains("flaky attempt 1: failed"))
    #expect(run.contains("flaky: retry delay"))
    #expect(run.contains("&lt;b&gt;not markup&lt;/b&gt;"))
    #expect(run.contains("rows 42"))
    #expect(run.contains("href=\"../../logs/nightly/\(records[1].runId)/flaky.attempt-2.log\""))

    // The list of runs, filtered in the page: every run a row with what
    // the choices compare, linked from the overview.
    #expect(overview.contains("href=\"runs.html\""))
    let list = try #require(root.read("report/runs.html"))
    #expect(ReportPages.externalReferences(list).isEmpty)
    #expect(ReportPages.brokenLinks(list, in: "\(root.path)/report").isEmpty)
    #expect(try ReportPages.strictParseErrors(["\(root.path)/report/runs.html"]) == "")
    for record in records {
      #expect(
        list.contains(
          "<tr data-pipeline=\"nightly\" data-status=\"\(record.status.rawValue)\" data-environment=\"\" data-trigger=\"scheduled\""
        ), "\(record.runId)")
      #expect(list.contains("href=\"runs/\(record.runId).html\""))
    }
    for filter in ["pipeline", "status", "environment", "started", "trigger"] {
      #expect(list.contains("<select data-filter=\"\(filter)\">"), "\(filter)")
    }
    #expect(list.contains("<option value=\"partial\">partial</option>"))

    // A second report rewrites no run page (pages that say "… ago" may
    // change when the clock has moved on).
    let runPages = try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/report/runs")
    func modified(_ name: String) throws -> Date? {
      try FileManager.default.attributesOfItem(atPath: "\(root.path)/report/runs/\(name)")[
        .modificationDate] as? Date
    }
    let before = try runPages.map(modified)
    let again = try Orchestrate.run(["report", "--root", root.path])
    #expect(again.exitCode == 0)
    #expect(try runPages.map(modified) == before, "\(again.stdout)")
  }

  @Test func reportOutsideTheRootShowsLogCommands() throws {
    let (root, records) = try preparedRoot()
    let elsewhere = TestRoot()
    let report = try Orchestrate.run(
      ["report", "nightly", "--root", root.path, "-o", elsewhere.path + "/site"])
    #expect(report.exitCode == 0, "\(report.stderr)")
    let run = try #require(elsewhere.read("site/runs/\(records[0].runId).html"))
    #expect(run.contains("orchestrate logs \(records[0].runId) &#39;flaky&#39; --attempt 2"))
    #expect(!root.exists("report"))
  }

  @Test func unknownPipelineOrRunIsAUsageError() throws {
    let (root, _) = try preparedRoot()
    let pipeline = try Orchestrate.run(["report", "nightlyy", "--root", root.path])
    #expect(pipeline.exitCode == 2)
    #expect(
      pipeline.stderr
        == "orchestrate: no runs of pipeline 'nightlyy' under metrics/ (known: nightly)\n")
    let run = try Orchestrate.run(["report", "--run", "run_20200101_000000_1", "--root", root.path])
    #expect(run.exitCode == 2)
    #expect(run.stderr.contains("no run record 'run_20200101_000000_1'"))
  }
}
