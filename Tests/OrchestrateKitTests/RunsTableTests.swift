import Foundation
import Testing

@testable import OrchestrateRecords
@testable import OrchestrateStatus

/// The lines of `orchestrate runs` at the widths people's terminals have.
@Suite struct RunsTableTests {
  static let started = Timestamp.parse("2026-11-22T01:00:00.000Z")!

  func entry(
    _ index: Int, pipeline: String = "nightly", environment: String? = "prod",
    status: RunStatus = .completed, rerunOf: String? = nil
  ) -> RunList.Entry {
    let started = Self.started.addingTimeInterval(Double(-index) * 86400)
    let id = RunID(startedAt: started, pid: 4121 + Int32(index)).text
    let run = RunDigest(
      file: "\(id).json", runId: id, status: status, startedAt: started.timeIntervalSince1970,
      durationSeconds: 2832.4, tasks: [], environment: environment, rerunOf: rerunOf,
      taskCounts: (9, status == .completed ? 0 : 2))
    return RunList.Entry(run, pipeline: pipeline, status: status)
  }

  func render(
    _ runs: [RunList.Entry], width: Int, filter: RunFilter = RunFilter(), matching: Int? = nil
  )
    -> [String]
  {
    let list = RunList(
      generatedAt: Self.started, root: "/srv/etl", limit: filter.limit,
      matching: matching ?? runs.count, runs: runs, unreadableFiles: [])
    return RunsTable.render(
      list, filter: filter, style: TerminalStyle(colors: false), width: width,
      zone: ZoneInfo.named("Europe/Berlin")!
    ).split(separator: "\n").map(String.init)
  }

  var mixed: [RunList.Entry] {
    [
      entry(0, status: .partial, rerunOf: entry(1).runId),
      entry(1, status: .failed),
      entry(2, pipeline: "omics-extraction-weekly", environment: nil),
    ]
  }

  func titles(_ line: String) -> [String] {
    line.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty }
  }

  @Test func everyColumnWhenThereIsRoom() {
    let lines = render(mixed, width: 200)
    #expect(
      titles(lines[0]) == [
        "run", "pipeline", "env", "status", "started", "took", "failed", "trigger", "rerun of",
      ])
    #expect(
      lines[1]
        == "run_20261122_010000_4121  nightly                  prod  partial    2026-11-22 02:00  47m12s     2/9  rerun      run_20261121_010000_4122"
    )
    #expect(lines[3].contains("omics-extraction-weekly  -     completed"))
  }

  @Test func narrowTerminalsLoseTheLeastUsefulColumnsFirst() {
    let expected: [Int: [String]] = [
      100: ["run", "pipeline", "env", "status", "started", "took", "failed"],
      80: ["run", "pipeline", "status", "started", "failed"],
      60: ["run", "pipeline", "status", "started"],
      40: ["run", "pipel…", "status"],
    ]
    for (width, columns) in expected {
      let lines = render(mixed, width: width)
      #expect(titles(lines[0]) == columns, "\(width)")
      for line in lines { #expect(line.count <= width, "\(width): \(line)") }
    }
    // The start loses its year before the environment goes; a long
    // pipeline name is cut to 16 columns before other columns go for it.
    #expect(render(mixed, width: 100)[1].contains("  prod  partial    2026-11-22 02:00  "))
    #expect(
      render(mixed, width: 80)[3].contains("  omics-extractio…  completed  11-20 02:00     0/9"))
    #expect(render(mixed, width: 60)[3].contains("  omics-ext…  completed  11-20 02:00"))
    // Names as short as most leave every column in 100.
    let short = [entry(0, status: .partial, rerunOf: entry(1).runId), entry(1, status: .failed)]
    #expect(
      titles(render(short, width: 100)[0]) == [
        "run", "pipeline", "env", "status", "started", "took", "failed", "trigger",
      ])
  }

  @Test func columnsThatSayNothingAreLeftOut() {
    var filter = RunFilter()
    filter.pipelines = ["nightly"]
    let plain = [entry(0, environment: nil), entry(1, environment: nil)]
    #expect(
      titles(render(plain, width: 200, filter: filter)[0]) == [
        "run", "status", "started", "took", "failed", "trigger",
      ])
  }

  @Test func aCutListSaysSoAndAnEmptyOneSaysWhy() {
    let lines = render([entry(0)], width: 100, matching: 35)
    #expect(lines.last == "1 of 35 matching runs; --limit N shows more, --limit 0 all")
    #expect(render([], width: 100) == ["no runs recorded under /srv/etl/metrics"])
    var filter = RunFilter()
    filter.statuses = [.failed]
    #expect(render([], width: 100, filter: filter) == ["no runs match"])
  }

  @Test func namesFromRecordsAreEscaped() {
    let lines = render([entry(0, pipeline: "evil\u{1B}[2J", environment: "p\u{7}")], width: 200)
    #expect(!lines.joined().contains("\u{1B}") && !lines.joined().contains("\u{7}"))
  }
}
