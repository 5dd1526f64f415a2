import Foundation
import OrchestrateKit
import Testing

/// A pipeline's page, written by `report` and answered by `serve`, has an
/// items section linked from its top: counts per stage and status, the
/// backlog, the stuck items and the newest failures; serve's answer follows
/// the ledger as the events are committed.
@Suite(.serialized) struct ItemsReportPageTests {
  static let pipeline = """
    items:
      stages: [fetched, parsed]
    tasks:
      - name: fetch
        run: |
          for i in 1 2 3 4 5; do
            echo "{\\"item\\": \\"doc-$i\\", \\"stage\\": \\"fetched\\", \\"status\\": \\"done\\"}" >> "$ORCHESTRATE_ITEMS"
          done
      - name: parse
        depends_on: [fetch]
        run: |
          echo '{"item": "doc-1", "stage": "parsed", "status": "done"}' >> "$ORCHESTRATE_ITEMS"
          echo '{"item": "doc-2", "stage": "parsed", "status": "failed", "error": "no <title> here"}' >> "$ORCHESTRATE_ITEMS"
    """

  /// The row of `stage` in the page's items table, tags and all.
  func row(_ html: String, _ stage: String) -> String? {
    guard let start = html.range(of: "<tr><td>\(stage)</td>") else { return nil }
    return String(html[start.lowerBound...].prefix { $0 != "\n" }.split(separator: "</tr>")[0])
  }

  func cells(_ row: String) -> [String] {
    row.components(separatedBy: "<td class=\"num\">").dropFirst().map {
      String($0.prefix { $0 != "<" })
    }
  }

  @Test func theWrittenPipelinePageHoldsTheItems() throws {
    let root = TestRoot()
    let file = root.write("pipelines/p.yaml", Self.pipeline)
    #expect(try Orchestrate.run([file]).exitCode == 0)
    let report = try Orchestrate.run(["report", "--root", root.path])
    #expect(report.exitCode == 0, "\(report.stderr)")
    let html = try #require(root.read("report/pipelines/p.html"))
    #expect(html.contains("<a href=\"#items\">Items: 5 items, 1 failed</a>"), "\(html)")
    #expect(html.contains("<h2 id=\"items\">Items</h2>"))
    // started, done, failed, skipped, backlog, fail%
    #expect(cells(try #require(row(html, "fetched"))) == ["0", "5", "0", "0", "–", "0%"])
    #expect(cells(try #require(row(html, "parsed"))) == ["0", "1", "1", "0", "4", "50%"])
    #expect(html.contains("<td>doc-2</td><td>parsed</td><td>no &lt;title&gt; here</td>"))
    #expect(html.contains("No item is stuck."))
    let directory = root.path + "/report/pipelines"
    #expect(ReportPages.brokenLinks(html, in: directory).filter { !$0.hasPrefix("#") }.isEmpty)
  }

  @Test func servesThePageAndFollowsTheLedger() throws {
    let root = TestRoot()
    let file = root.write("pipelines/p.yaml", Self.pipeline)
    #expect(try Orchestrate.run([file]).exitCode == 0)
    let served = try Served(root)
    defer { served.process.signal(SIGTERM) }
    usleep(200_000)
    let first = try served.get("/pipelines/p.html")
    #expect(first.status == 200)
    #expect(cells(try #require(row(first.body, "parsed"))) == ["0", "1", "1", "0", "4", "50%"])
    #expect(try served.get("/pipelines/p.html").body == first.body)

    // An attempt's events committed as a run in progress commits them:
    // appended to the run's segment, nothing else under metrics/ changed.
    let run = try root.onlyRecord("p").runId
    let at = Int64(Date().timeIntervalSince1970 * 1000)
    let segment = URL(fileURLWithPath: "\(root.path)/metrics/p/items/segments/\(run).events")
    let handle = try FileHandle(forWritingTo: segment)
    handle.seekToEndOfFile()
    handle.write(
      Data("E\tdoc-3\tparsed\tfailed\t\(at)\tparse\t2\tlate failure\t\t\t\nC\tparse\t2\t1\n".utf8))
    try handle.close()
    let after = try served.get("/pipelines/p.html")
    #expect(cells(try #require(row(after.body, "parsed"))) == ["0", "1", "2", "0", "4", "67%"])
    #expect(after.body.contains("late failure"))
  }
}
