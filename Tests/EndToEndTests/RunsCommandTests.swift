import Foundation
import OrchestrateKit
import TestSupport
import Testing

/// `orchestrate runs` over real runs of real pipeline files: its lines at
/// three widths, its filters, `--json` against docs/runs.schema.json, the
/// refusals of bad values, and serve's `/api/runs` answering alike.
@Suite(.serialized) struct RunsCommandTests {
  /// Seven runs, oldest first: a prod run 20 days ago that failed, then
  /// prod completed, prod partial, dev partial (by hand), ingest failed, a
  /// rerun of the partial prod run (partial again: its parameters are the
  /// original's), and dev completed.
  struct Prepared {
    var root: TestRoot
    var ids: [String]
  }

  func prepared() throws -> Prepared {
    let root = TestRoot()
    root.write(
      "pipelines/nightly.yaml",
      """
      environments: {dev: {}, prod: {}}
      params: {fail: {type: bool, default: false}}
      tasks:
        - {name: extract, run: 'true'}
        - {name: load, run: 'test "$FAIL" != true', depends_on: [extract]}
        - {name: report, run: 'true', depends_on: [load]}
      """)
    root.write(
      "pipelines/ingest.yaml",
      """
      tasks:
        - {name: fetch, run: 'exit 1'}
        - {name: parse, run: 'exit 1'}
      """)
    let runs: [([String], Int32)] = [
      (["nightly", "-e", "prod"], 0),
      (["nightly", "-e", "prod", "--fail"], 1),
      (["nightly", "-e", "dev", "--fail", "--manual"], 1),
      (["ingest"], 1),
      (["rerun", "--last", "nightly", "-e", "prod"], 1),
      (["nightly", "-e", "dev"], 0),
    ]
    for (arguments, expected) in runs {
      let result = try Orchestrate.run(arguments + ["--root", root.path])
      try #require(result.exitCode == expected, "\(arguments): \(result.stderr)")
    }
    let template = try root.records("nightly")[0]
    let old = try root.writeRecord(from: template, daysAgo: 20, status: .failed) { record in
      for index in record.tasks.indices { record.tasks[index].status = .failed }
    }
    let newest = try ["nightly", "ingest"].flatMap { try root.records($0) }
      .filter { $0.runId != old }.sorted { $0.startedAt < $1.startedAt }.map(\.runId)
    return Prepared(root: root, ids: [old] + newest)
  }

  func runs(_ root: TestRoot, _ arguments: [String], columns: Int = 200) throws -> Invocation {
    try Orchestrate.run(
      ["runs", "--root", root.path] + arguments,
      environment: Orchestrate.cronEnvironment(["COLUMNS": String(columns)]))
  }

  /// The run ids a listing shows, in its order.
  func listed(_ output: String) -> [String] {
    output.split(separator: "\n").dropFirst().compactMap { line in
      line.split(separator: " ").first.map(String.init).flatMap { $0.hasPrefix("run_") ? $0 : nil }
    }
  }

  @Test func listsNewestFirstAndFiltersLikeTheOperatorsAsk() throws {
    let prepared = try prepared()
    let (root, ids) = (prepared.root, prepared.ids)
    let all = try runs(root, [])
    #expect(all.exitCode == 0, "\(all.stderr)")
    #expect(listed(all.stdout) == ids.reversed())
    let lines = all.stdout.split(separator: "\n").map(String.init)
    #expect(
      lines[0].split(separator: " ") == [
        "run", "pipeline", "env", "status", "started", "took", "failed", "trigger", "rerun", "of",
      ])
    let rerun = try #require(lines.first { $0.hasPrefix(ids[5]) })
    for word in ["nightly", "prod", "partial", "2/3", "rerun", ids[2]] {
      #expect(rerun.contains(word), "\(word) in \(rerun)")
    }
    let ingest = try #require(lines.first { $0.hasPrefix(ids[4]) })
    #expect(ingest.split(separator: " ").contains("2/2"))
    #expect(ingest.split(separator: " ").contains("-"), "no environment")

    func only(_ arguments: [String]) throws -> [String] {
      let result = try runs(root, arguments)
      #expect(result.exitCode == 0, "\(arguments): \(result.stderr)")
      return listed(result.stdout)
    }
    #expect(try only(["--status", "failed"]) == [ids[4], ids[0]])
    #expect(try only(["--status", "failed,partial", "-e", "prod"]) == [ids[5], ids[2], ids[0]])
    #expect(
      try only(["--status", "partial", "--status", "completed", "-e", "dev"]) == [ids[6], ids[3]])
    #expect(try only(["--trigger", "rerun"]) == [ids[5]])
    #expect(try only(["--trigger", "manual"]) == [ids[3]])
    #expect(try only(["ingest"]) == [ids[4]])
    #expect(try only(["nightly", "--since", "14d"]) == [ids[6], ids[5], ids[3], ids[2], ids[1]])
    #expect(try only(["--until", "14d"]) == [ids[0]])
    let oldDay = LogicalDate.of(
      start: Date().addingTimeInterval(-20 * 86400), offset: .zero)
    #expect(try only(["--since", oldDay, "--until", oldDay, "--environment", "prod"]) == [ids[0]])
    #expect(try only(["--status", "cancelled"]).isEmpty)

    let limited = try runs(root, ["--limit", "2"])
    #expect(listed(limited.stdout) == [ids[6], ids[5]])
    #expect(limited.stdout.contains("2 of 7 matching runs"))
    let one = try runs(root, ["nightly", "-e", "dev"])
    #expect(!one.stdout.split(separator: "\n")[0].contains("pipeline"), "one pipeline asked for")
    #expect(try runs(root, ["--status", "cancelled"]).stdout == "no runs match\n")
  }

  @Test func fitsEveryLineToTheWidthKeepingRunAndStatus() throws {
    let prepared = try prepared()
    for columns in [60, 80, 100] {
      let result = try runs(prepared.root, [], columns: columns)
      let lines = result.stdout.split(separator: "\n")
      #expect(lines.count == 8)
      for line in lines { #expect(line.count <= columns, "\(columns): \(line)") }
      #expect(listed(result.stdout) == prepared.ids.reversed(), "\(columns)")
      #expect(lines[0].hasPrefix("run "))
      #expect(lines[0].contains("status"), "\(columns)")
      #expect(lines[0].contains("pipeline"), "\(columns): more than one pipeline")
    }
    let narrow = try runs(prepared.root, [], columns: 60).stdout
    #expect(!narrow.contains("rerun of") && !narrow.contains("trigger"))
    let wide = try runs(prepared.root, [], columns: 100).stdout
    #expect(wide.contains("env") && wide.contains("failed"))
  }

  @Test func jsonMatchesItsSchemaAndServeAnswersTheSame() throws {
    let prepared = try prepared()
    let (root, ids) = (prepared.root, prepared.ids)
    let printed = try runs(root, ["--json", "--limit", "0"])
    #expect(printed.exitCode == 0, "\(printed.stderr)")
    let file = root.write("runs.json", printed.stdout)
    let check = try SchemaTests().check("runs.schema.json", [file])
    #expect(check.status == 0, "\(check.output)")
    let list = try RecordCoding.decoder().decode(RunList.self, from: Data(printed.stdout.utf8))
    #expect(list.runs.map(\.runId) == ids.reversed())
    #expect(list.matching == 7 && list.limit == nil)
    let rerun = try #require(list.runs.first { $0.runId == ids[5] })
    #expect(rerun.trigger == .rerun && rerun.rerunOf == ids[2])
    #expect(rerun.tasksTotal == 3 && rerun.tasksFailed == 2 && rerun.environment == "prod")
    #expect(list.runs.first { $0.runId == ids[4] }?.environment == nil)

    let filters = ["--status", "failed,partial", "-e", "prod", "--since", "30d", "--limit", "2"]
    let expected = try RecordCoding.decoder().decode(
      RunList.self, from: Data(try runs(root, filters + ["--json"]).stdout.utf8))
    #expect(expected.runs.map(\.runId) == [ids[5], ids[2]] && expected.matching == 3)
    let served = try Served(root)
    let answer = try served.get(
      "/api/runs?status=failed&status=partial&environment=prod&since=30d&limit=2")
    #expect(answer.status == 200)
    #expect(answer.headers.contains("Content-Type: application/json"))
    let fromAPI = try RecordCoding.decoder().decode(RunList.self, from: Data(answer.body.utf8))
    #expect(fromAPI.runs == expected.runs)
    #expect(fromAPI.matching == expected.matching && fromAPI.limit == 2)
    let apiFile = root.write("api-runs.json", answer.body)
    let apiCheck = try SchemaTests().check("runs.schema.json", [apiFile])
    #expect(apiCheck.status == 0, "\(apiCheck.output)")
    let pipelines = try served.get("/api/runs?pipeline=ingest,nightly&trigger=rerun")
    #expect(
      try RecordCoding.decoder().decode(RunList.self, from: Data(pipelines.body.utf8)).runs.map(
        \.runId) == [ids[5]])

    let refused = try served.get("/api/runs?since=soon")
    #expect(refused.status == 400)
    #expect(refused.body.hasPrefix("since: 'soon' is not"))
    #expect(try served.get("/api/runs?status=faild").body.contains("did you mean 'failed'"))
    let unknown = try served.get("/api/runs?pipeline=..%2F..%2Fetc")
    #expect(unknown.status == 404)
    #expect(unknown.body.hasPrefix("no pipeline"))

    let page = try served.get("/runs.html?status=partial&environment=prod")
    #expect(page.status == 200)
    #expect(page.body.contains("href=\"runs/\(ids[5]).html\""))
    #expect(page.body.contains("href=\"runs/\(ids[2]).html\""), "linked as rerun of, and listed")
    #expect(!page.body.contains(ids[1]), "completed")
    #expect(
      page.body.contains("href=\"runs.html?status=partial&amp;environment=prod&amp;since=14d\""))
    let refusedPage = try served.get("/runs.html?since=soon")
    #expect(refusedPage.status == 400)
    #expect(refusedPage.body.contains("since: &#39;soon&#39; is not"))
    let overview = try served.get("/")
    #expect(overview.body.contains("href=\"runs.html\""))
    let scratch = TestRoot()
    let files = [page, refusedPage].enumerated().map { index, response in
      scratch.write("page\(index).html", response.body)
    }
    #expect(try ReportPages.strictParseErrors(files) == "")
    for response in [page, refusedPage] {
      #expect(ReportPages.externalReferences(response.body).isEmpty)
    }
    let openapi = try served.get("/api/openapi.json")
    let document = try JSONSerialization.jsonObject(with: Data(openapi.body.utf8)) as? [String: Any]
    #expect((document?["paths"] as? [String: Any])?.keys.contains("/api/runs") == true)
  }

  @Test func refusesBadValuesNamingTheOption() throws {
    let root = TestRoot()
    root.write("pipelines/nightly.yaml", "tasks:\n  - {name: a, run: 'true'}\n")
    let cases: [([String], String)] = [
      (
        ["--status", "faild"],
        "orchestrate: --status: 'faild' is not a run status (did you mean 'failed'?)"
      ),
      (["--since", "2026-02-30"], "orchestrate: --since: '2026-02-30' is not a date"),
      (["--until", "soon"], "orchestrate: --until: 'soon' is not a date"),
      (["--since", "14"], "orchestrate: --since: '14' is not a date"),
      (
        ["--since", "2026-11-21", "--until", "2026-11-20"],
        "orchestrate: --since: '2026-11-21' is not before until '2026-11-20'"
      ),
      (
        ["--trigger", "cron"],
        "orchestrate: --trigger: 'cron' is not a trigger (scheduled, manual, rerun)"
      ),
      (["--limit", "100001"], "orchestrate: --limit: '100001' is not a number"),
      (["nightlly"], "orchestrate: no pipeline 'nightlly' (did you mean 'nightly'?)"),
    ]
    for (arguments, message) in cases {
      let result = try runs(root, arguments)
      #expect(result.exitCode == 2, "\(arguments)")
      #expect(result.stdout.isEmpty, "\(arguments)")
      #expect(result.stderr.hasPrefix(message), "\(arguments): \(result.stderr)")
    }
    let empty = try runs(root, [])
    #expect(empty.exitCode == 0)
    #expect(empty.stdout == "no runs recorded under \(root.path)/metrics\n")
  }
}
