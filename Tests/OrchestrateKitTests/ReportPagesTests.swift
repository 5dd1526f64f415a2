import Foundation
import Testing

@testable import OrchestrateStatus

/// The report's pages rendered from synthetic records: what they show,
/// what they must never contain, and that they are the same for the same input.
@Suite struct ReportPagesTests {
  let now = SyntheticRuns.epoch.addingTimeInterval(40 * 86400)
  let links = ReportLinks(logs: .relative(prefix: "../"))

  /// Twelve nightly runs, the last with a failed task that was retried,
  /// a hostile task name and output, and counters.
  func history() -> [RunRecord] {
    (0..<12).map { index in
      var record = SyntheticRuns.record(
        index, startedAt: now.addingTimeInterval(Double(index - 12) * 86400),
        duration: 60 + Double(index),
        tasks: [
          ("extract", .completed, 20), ("<script>alert(1)</script>", .completed, 5),
          ("load", index == 11 ? .failed : .completed, index == 11 ? 90 : 30),
          ("transform", .completed, index == 11 ? 90 : 30),
        ])
      if index == 11 { record.status = .partial }
      for position in record.tasks.indices {
        let started = record.startedAt.addingTimeInterval(Double(position) * 20)
        var first = AttemptRecord(number: 1, startedAt: started)
        first.finishedAt = started.addingTimeInterval(8)
        first.exitCode = record.tasks[position].status == .completed ? 0 : 3
        first.logFile = "logs/p/\(record.runId)/\(record.tasks[position].name).log"
        record.tasks[position].attempts = [first]
        record.tasks[position].startedAt = started
        record.tasks[position].finishedAt = started.addingTimeInterval(
          record.tasks[position].durationSeconds ?? 0)
        record.tasks[position].metrics = ["documents_loaded": 1500 + Double(index)]
      }
      if index == 11 {
        var retry = AttemptRecord(
          number: 2, startedAt: record.tasks[2].startedAt!.addingTimeInterval(12))
        retry.finishedAt = retry.startedAt.addingTimeInterval(10)
        retry.exitCode = 3
        retry.logFile = "logs/p/\(record.runId)/load.attempt-2.log"
        record.tasks[2].attempts.append(retry)
        record.tasks[2].reason = "exit code 3 <after> 2 attempts"
        record.tasks[2].exitCode = 3
        record.tasks[2].error = "Traceback: <b>boom</b> & more"
      }
      return record
    }
  }

  func pipelineHistory(_ records: [RunRecord]) -> PipelineHistory {
    let status = PipelineAssessment(records, now: now).assess()
    let digests = records.map { RunDigest($0, file: "\($0.runId).json") }
    return PipelineHistory(
      status: status, runs: digests, detailed: digests, records: records, totalRuns: records.count)
  }

  func overview(_ records: [RunRecord]) -> Overview {
    let status = PipelineAssessment(records, now: now).assess()
    let report = StatusReport(
      generatedAt: now, root: "/srv/etl", windowDays: 7, health: status.health,
      pipelines: [status], unreadableFiles: [.init(path: "metrics/p/x.json", reason: "empty file")])
    return Overview(
      report: report, recent: ["p": records.map { RunDigest($0, file: "\($0.runId).json") }])
  }

  @Test func overviewShowsHealthLastRunAndTrend() {
    let records = history()
    let page = OverviewPage.render(overview(records), links: links)
    #expect(page.hasPrefix("<!DOCTYPE html>"))
    #expect(page.contains("<a href=\"pipelines/p.html\">p</a>"))
    #expect(page.contains("WARNING"), "a partial last run is a warning")
    #expect(page.contains("partial"))
    #expect(page.contains("class=\"spark\""))
    #expect(page.contains("metrics/p/x.json"), "unreadable files are named")
    #expect(page == OverviewPage.render(overview(records), links: links), "same input, same page")
  }

  @Test func pipelinePageShowsGridTrendsAndCounters() {
    let page = PipelinePage.render(pipelineHistory(history()), links: links, now: now)
    let context = Comment(rawValue: String(page.prefix(300)))
    #expect(page.contains("<a href=\"../index.html\">orchestrate</a>"), context)
    #expect(page.contains("Runs over time"), context)
    #expect(page.contains("class=\"band\""), "the p50–p95 band")
    #expect(page.contains("<table class=\"grid\">"), context)
    #expect(page.contains("load in \(history()[11].runId): failed, 1m30s, 2 attempts"), context)
    #expect(page.contains("load · documents_loaded"), context)
    #expect(page.contains("transform <span class=\"slow\""), "transform took 3× its usual")
    #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), context)
    #expect(!page.contains("<script>alert"), context)
  }

  @Test func runPageShowsTimelineAttemptsAndLogs() {
    var record = history()[11]
    record.totals = CounterTotal.totals(of: record.tasks)
    let view = RunView(pipeline: "p", runId: record.runId, record: record)
    let page = RunPage.render(view, links: links, now: now)
    #expect(page.contains("Timeline"))
    #expect(page.contains("load attempt 1: failed, 8.00s"))
    #expect(page.contains("load attempt 2: failed, 10.00s"))
    #expect(page.contains("load: retry delay 4.00s"))
    #expect(page.contains("class=\"bar s-bad\""), "failed bars carry the hatch class")
    #expect(page.contains("exit code 3 &lt;after&gt; 2 attempts"))
    #expect(page.contains("Traceback: &lt;b&gt;boom&lt;/b&gt; &amp; more"))
    #expect(page.contains("href=\"../../logs/p/\(record.runId)/load.attempt-2.log\""))
    #expect(page.contains("documents_loaded 1,511"))
    // The totals come first, before the timeline and the per-task table.
    let totals = page.range(of: "<h2>Counter totals</h2><ul class=\"totals\">")
    #expect(page.contains("<li>extract: documents_loaded 1,511</li>"))
    #expect(totals.map { $0.upperBound < page.range(of: "Timeline")!.lowerBound } == true)
    #expect(!page.contains("<script>"), "no script in a written page")

    let elsewhere = RunPage.render(view, links: ReportLinks(logs: .command), now: now)
    #expect(elsewhere.contains("orchestrate logs \(record.runId) &#39;load&#39; --attempt 2"))
    let served = RunPage.render(view, links: ReportLinks(logs: .api), now: now)
    #expect(served.contains("href=\"../api/runs/\(record.runId)/logs/load?attempt=2\""))
  }

  @Test func runningRunIsLiveOnlyWhenServed() {
    var record = SyntheticRuns.record(
      1, status: .running, startedAt: now.addingTimeInterval(-300),
      tasks: [("extract", .completed, 20), ("load", .running, 0)])
    var attempt = AttemptRecord(number: 1, startedAt: now.addingTimeInterval(-100))
    attempt.liveResources = LiveResources(
      sampledAt: now, processes: 2, rssBytes: 212 << 20, cpuPercent: 98, cpuSeconds: 90,
      readBytes: 4096, writeBytes: 200 << 20)
    record.tasks[1].attempts = [attempt]
    record.tasks[1].progress = TaskProgress(
      done: 35, total: 50, message: "file 35 of 50", phase: "loading",
      updatedAt: now)
    let status = PipelineAssessment([record], now: now, liveness: { _ in .alive }).assess()
    #expect(status.running.first?.tasks.first?.resources == attempt.liveResources)
    let view = RunView(
      pipeline: "p", runId: record.runId, record: record, running: status.running.first)
    let live = RunPage.render(view, links: links, now: now, live: true)
    #expect(live.contains("data-running=\"true\""))
    #expect(live.contains("<script>\(RunPage.liveScript)</script>"))
    #expect(live.contains("35/50 · 70% · phase loading"))
    #expect(live.contains("file 35 of 50"))
    #expect(
      live.contains(
        "<td class=\"hide-narrow\">rss 212.0 MiB · cpu 98% · r 4.0 KiB · w 200.0 MiB</td>")
    )
    #expect(!RunPage.render(view, links: links, now: now).contains("<script>"))
  }

  @Test func damagedRecordPageSaysSo() {
    let page = RunPage.render(
      RunView(pipeline: "p", runId: "run_20261122_020000_4121", record: nil), links: links, now: now
    )
    #expect(page.contains("is damaged or not a run record"))
  }

  @Test func escapingCoversMarkupAndControlCharacters() {
    #expect(HTML.escape("<a href='x'>&\"</a>") == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;")
    #expect(HTML.escape("bell\u{7}") == "bell\u{FFFD}")
    #expect(HTML.pathSegment("extract[geo] #1") == "extract%5Bgeo%5D%20%231")
  }

  @Test func chartCoordinatesHaveTwoDecimalsAtMostAndNoTrailingZeros() {
    let expected: [(Double, String)] = [
      (0, "0"), (-0.001, "0"), (1.5, "1.5"), (1.05, "1.05"), (0.005, "0.01"), (2.999, "3"),
      (-0.5, "-0.5"), (-0.05, "-0.05"), (-12.3456, "-12.35"), (100.5, "100.5"), (24, "24"),
      (1_234_567.891, "1234567.89"),
    ]
    for (value, text) in expected {
      #expect(SVGNumber.text(value) == text, "\(value)")
    }
    // Written by hand, they read as formatting through printf would have them.
    for thousandths in stride(from: -2_000_000, through: 2_000_000, by: 97) {
      let value = Double(thousandths) / 1000
      #expect(SVGNumber.text(value) == SVGNumber.formatted(value), "\(value)")
    }
  }
}
