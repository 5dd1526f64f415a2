import Foundation
import OrchestrateKit
import Testing

/// `orchestrate serve` over real runs, fetched with curl on loopback.
@Suite(.serialized) struct ServeTests {
  /// The report's two runs of one pipeline.
  func preparedRoot() throws -> (TestRoot, [RunRecord]) { try ReportTests().preparedRoot() }

  @Test func servesPagesAndTheReadOnlyAPI() throws {
    let (root, records) = try preparedRoot()
    let run = records[1].runId
    root.write("metrics/nightly/run_20200101_000000_1.json", "{not json")
    let served = try Served(root)

    let overview = try served.get("/")
    #expect(overview.status == 200)
    #expect(overview.body.contains("nightly"))
    #expect(overview.headers.contains("Content-Security-Policy: default-src 'none'"))
    #expect(overview.body.contains("run_20200101_000000_1.json"), "the damaged file is named")
    let pipeline = try served.get("/pipelines/nightly.html")
    #expect(pipeline.status == 200)
    let page = try served.get("/runs/\(run).html")
    #expect(page.status == 200)
    #expect(page.body.contains("href=\"../api/runs/\(run)/logs/flaky?attempt=2\""))
    for response in [overview, pipeline, page] {
      #expect(ReportPages.externalReferences(response.body).isEmpty)
    }
    let scratch = TestRoot()
    let files = [overview, pipeline, page].enumerated().map { index, response in
      scratch.write("page\(index).html", response.body)
    }
    #expect(try ReportPages.strictParseErrors(files) == "")

    let status = try served.get("/api/status")
    let report = try RecordCoding.decoder().decode(StatusReport.self, from: Data(status.body.utf8))
    #expect(report.pipelines.map(\.name) == ["nightly"])
    let list = try served.get("/api/pipelines/nightly/runs?limit=1")
    #expect(list.body.contains("\"run_id\" : \"\(run)\""))
    #expect(!list.body.contains(records[0].runId), "limit=1")
    let record = try served.get("/api/runs/\(run)")
    #expect(
      try RecordCoding.decoder().decode(RunRecord.self, from: Data(record.body.utf8)) == records[1])
    let log = try served.get("/api/runs/\(run)/logs/flaky")
    #expect(log.body.contains("=== flaky: attempt 2"))
    #expect(log.body.contains("<b>not markup</b>"))
    #expect(log.headers.contains("Content-Type: text/plain"))
    let attempt = try served.get("/api/runs/\(run)/logs/flaky?attempt=1")
    #expect(attempt.body == "<b>not markup</b>\n")
    let openapi = try served.get("/api/openapi.json")
    let document = try JSONSerialization.jsonObject(with: Data(openapi.body.utf8)) as? [String: Any]
    #expect((document?["paths"] as? [String: Any])?.keys.contains("/api/runs/{run_id}") == true)

    let damaged = try served.get("/runs/run_20200101_000000_1.html")
    #expect(damaged.status == 200)
    #expect(damaged.body.contains("is damaged or not a run record"))
    #expect(try served.get("/api/runs/run_20200101_000000_1").status == 422)

    for method in ["POST", "PUT", "DELETE"] {
      #expect(try served.get("/api/status", method: method).status == 405, "\(method)")
    }
    for path in [
      "/../../../etc/passwd", "/runs/..%2F..%2F..%2Fetc%2Fpasswd.html",
      "/pipelines/..%2Fnightly.html", "/api/pipelines/..%2F..%2Fetc/runs",
      "/api/runs/..%2F..%2Fetc%2Fpasswd", "/api/runs/\(run)/logs/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
      "/api/runs/\(run)/logs/orchestrate.journal", "/api/runs/\(run)/logs/flaky?attempt=9",
      "/logs/nightly/\(run)/flaky.log", "/metrics/nightly/\(run).json",
    ] {
      let response = try served.get(path)
      #expect(response.status == 404, "\(path)")
      #expect(!response.body.contains("root:"), "\(path)")
    }
    let stop = served.stop()
    #expect(stop.signal == SIGTERM, "graceful stop, then ends by the signal")
  }

  @Test func tokenIsRequiredWhenGiven() throws {
    let (root, _) = try preparedRoot()
    let token = "s3cret-token-0123456789"
    let file = root.write("token", token + "\n")
    let served = try Served(root, ["--token-file", file])
    #expect(try served.get("/api/status").status == 401)
    #expect(try served.get("/api/status", headers: ["Authorization: Bearer wrong"]).status == 401)
    #expect(
      try served.get("/api/status", headers: ["Authorization: Bearer \(token)"]).status == 200)
    let browser = try served.get("/?token=\(token)")
    #expect(browser.status == 200)
    #expect(browser.headers.contains("Set-Cookie: orchestrate_token=\(token); Path=/; HttpOnly"))
    #expect(try served.get("/", headers: ["Cookie: orchestrate_token=\(token)"]).status == 200)

    let open = try Orchestrate.run(["serve", "--root", root.path, "--listen", "0.0.0.0:0"])
    #expect(open.exitCode == 2)
    #expect(open.stderr.contains("give --token-file FILE (or --insecure-no-auth)"))
  }

  @Test func followsARunLive() throws {
    let (root, running, served, runId) = try Served.liveRun(
      """
      echo '{"done": 3, "total": 10, "phase": "loading", "message": "file 3 of 10"}' >> "$ORCHESTRATE_PROGRESS"
      touch "$ORCHESTRATE_ROOT/started"
      while [ ! -e "$ORCHESTRATE_ROOT/release" ]; do sleep 0.05; done
      """)
    // The record is rewritten with the progress within a second or so.
    var fragment = ""
    let deadline = Date().addingTimeInterval(30)
    while !fragment.contains("3/10") {
      try #require(Date() < deadline, "no progress in the live view: \(fragment.prefix(400))")
      fragment = try served.get("/runs/\(runId).html?live=1").body
      usleep(50_000)
    }
    #expect(fragment.hasPrefix("<section id=\"live\" data-running=\"true\">"))
    #expect(fragment.contains("phase loading"))
    #expect(fragment.contains("file 3 of 10"))
    let page = try served.get("/runs/\(runId).html")
    #expect(page.body.contains("<script>\(RunPage.liveScript)</script>"))
    #expect(page.headers.contains(RunPage.liveScriptHash), "the CSP allows exactly that script")

    root.write("release", "")
    #expect(running.wait().exitCode == 0)
    let done = try served.get("/runs/\(runId).html?live=1").body
    #expect(done.hasPrefix("<section id=\"live\" data-running=\"false\">"))
    #expect(done.contains("completed"))
  }
}
