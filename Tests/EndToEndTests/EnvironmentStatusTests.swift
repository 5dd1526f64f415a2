import Foundation
import OrchestrateKit
import Testing

/// Each environment of a pipeline is judged on its own: in status, its
/// views and its messages, a dev run never changes prod's health, ends
/// prod's failing streak or steals prod's recovery.
@Suite(.serialized) struct EnvironmentStatusTests {
  func pipeline(_ root: TestRoot) {
    root.write(
      "pipelines/nightly.yaml",
      """
      default_environment: dev
      notify:
        - webhook: {url_env: HOOK}
      environments:
        dev: {}
        prod:
          notify:
            - webhook: {url_env: HOOK}
      tasks:
        - {name: load, run: 'test ! -e "$ORCHESTRATE_ROOT/broken-$ENVIRONMENT"'}
      """)
  }

  @discardableResult
  func run(
    _ root: TestRoot, _ server: RecordingHTTPServer, _ environment: String, manual: Bool = false
  ) throws -> Invocation {
    try Orchestrate.run(
      ["nightly", "-e", environment, "--root", root.path] + (manual ? ["--manual"] : []),
      environment: Orchestrate.cronEnvironment(["HOOK": "\(server.url)/hook"]))
  }

  func titles(_ server: RecordingHTTPServer) -> [String] {
    server.requests().compactMap {
      ($0.json?["title"] as? String)?.components(separatedBy: " on ")[0]
    }
  }

  @Test func devAndProdAreJudgedAndToldApart() throws {
    let root = TestRoot()
    let server = try RecordingHTTPServer(in: root)
    pipeline(root)
    root.write("broken-dev", "")
    root.write("broken-prod", "")
    try run(root, server, "dev", manual: true)
    try run(root, server, "prod")
    #expect(titles(server) == ["nightly (dev) FAILED", "nightly (prod) FAILED"])

    unlink("\(root.path)/broken-dev")
    try run(root, server, "dev", manual: true)
    try run(root, server, "prod")
    // dev recovered; prod's streak goes on and is not told again.
    #expect(
      titles(server) == [
        "nightly (dev) FAILED", "nightly (prod) FAILED", "nightly (dev) RECOVERED",
      ])

    let status = try Orchestrate.run(["status", "--root", root.path])
    #expect(status.stdout.contains("nightly (prod)  CRITICAL"), "\(status.stdout)")
    #expect(status.stdout.contains("nightly (dev)  OK"), "\(status.stdout)")
    // Problems first.
    let prodLine = try #require(status.stdout.range(of: "nightly (prod)"))
    let devLine = try #require(status.stdout.range(of: "nightly (dev)"))
    #expect(prodLine.lowerBound < devLine.lowerBound)
    // dev is only run by hand beside a scheduled prod: nothing is owed there.
    #expect(!status.stdout.contains("nightly (dev)  OK  max_age"), "\(status.stdout)")

    let check = try Orchestrate.run(["status", "--check", "--root", root.path])
    #expect(check.exitCode == 2)
    #expect(
      check.stdout.hasPrefix("ORCHESTRATE CRITICAL - nightly (prod): last run"), "\(check.stdout)")
    let devOnly = try Orchestrate.run(["status", "--check", "-e", "dev", "--root", root.path])
    #expect(devOnly.exitCode == 0, "\(devOnly.stdout)")
    let json = try Orchestrate.run(["status", "--json", "-e", "prod", "--root", root.path])
    #expect(json.stdout.contains("\"environment\" : \"prod\""), "\(json.stdout)")
    #expect(!json.stdout.contains("\"environment\" : \"dev\""), "\(json.stdout)")
    let prometheus = try Orchestrate.run(["status", "--prometheus", "-", "--root", root.path])
    #expect(
      prometheus.stdout.contains("orchestrate_health{environment=\"prod\",pipeline=\"nightly\"} 2"),
      "\(prometheus.stdout)")
    #expect(
      prometheus.stdout.contains("orchestrate_health{environment=\"dev\",pipeline=\"nightly\"} 0"))

    // serve: one row per environment, and a filter.
    let served = try Served(root)
    let overview = try served.get("/")
    #expect(overview.body.contains("nightly (prod)") && overview.body.contains("nightly (dev)"))
    // Each row's sparkline holds its own environment's two runs.
    for label in ["nightly (prod)", "nightly (dev)"] {
      let row = overview.body.components(separatedBy: "<tr>").first { $0.contains(">\(label)<") }
      #expect(row?.components(separatedBy: "<rect class=\"bar").count == 3, "\(row ?? "")")
    }
    // Each row leads to its environment's own page: its health, its runs only.
    let records = try root.records("nightly")
    for (environment, health) in [("prod", "CRITICAL"), ("dev", "OK")] {
      #expect(overview.body.contains("href=\"pipelines/nightly~\(environment).html\""))
      let page = try served.get("/pipelines/nightly~\(environment).html")
      #expect(page.status == 200)
      #expect(page.body.contains(health), "\(page.body)")
      for record in records {
        #expect(
          page.body.contains(record.runId) == (record.environment == environment),
          "\(environment) page and run \(record.runId) of \(record.environment ?? "-")")
      }
    }
    // A page of the whole pipeline, left by an older report, goes.
    root.write("report/pipelines/nightly.html", "<html></html>")
    let written = try Orchestrate.run(["report", "--root", root.path])
    #expect(written.exitCode == 0, "\(written.stderr)")
    for page in ["nightly~prod.html", "nightly~dev.html"] {
      #expect(FileManager.default.fileExists(atPath: "\(root.path)/report/pipelines/\(page)"))
    }
    #expect(!FileManager.default.fileExists(atPath: "\(root.path)/report/pipelines/nightly.html"))
    let prodStatus = try served.get("/api/status?environment=prod")
    #expect(prodStatus.body.contains("\"environment\" : \"prod\""), "\(prodStatus.body)")
    #expect(!prodStatus.body.contains("\"environment\" : \"dev\""))

    // rerun --last in prod reruns prod's failure, not dev's newer success.
    unlink("\(root.path)/broken-prod")
    let rerun = try Orchestrate.run(
      ["rerun", "--last", "nightly", "-e", "prod", "--root", root.path],
      environment: Orchestrate.cronEnvironment(["HOOK": "\(server.url)/hook"]))
    #expect(rerun.exitCode == 0, "\(rerun.stdout)\(rerun.stderr)")
    let newest = try #require(try root.records("nightly").last)
    #expect(newest.environment == "prod" && newest.rerunOf != nil)
    #expect(titles(server).last == "nightly (prod) RECOVERED")
  }
}
