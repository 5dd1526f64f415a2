import Foundation
import OrchestrateKit
import Testing

/// `report: {path: DIR}` and `--report DIR`: the HTML report brought up to
/// date at the end of each run, without ever changing how the run ended.
@Suite struct RunEndReportTests {
  static let pipeline = """
    report: {path: site}
    tasks:
      - name: extract
        run: 'true'
      - name: load
        depends_on: [extract]
        run: 'true'
    """

  func eventLog(_ root: TestRoot, _ pipeline: String, _ runId: String) -> String {
    root.read("logs/\(pipeline)/\(runId)/orchestrate.log") ?? ""
  }

  @Test func eachRunUpdatesThePipelinesReport() throws {
    let root = TestRoot()
    root.write("pipelines/nightly.yaml", Self.pipeline)
    let first = try Orchestrate.run(["nightly", "--root", root.path])
    // Under cron a clean run stays silent, report or not.
    #expect(first.exitCode == 0, "\(first.stderr)")
    #expect(first.stdout == "" && first.stderr == "")
    let firstRun = try root.onlyRecord("nightly").runId
    for page in [
      "site/index.html", "site/runs.html", "site/pipelines/nightly.html",
      "site/runs/\(firstRun).html",
    ] {
      #expect(root.exists(page), "\(page) was not written")
    }
    #expect(eventLog(root, "nightly", firstRun).contains("report: 4 page(s) written, 0 unchanged"))

    let second = try Orchestrate.run(["nightly", "--root", root.path])
    #expect(second.exitCode == 0)
    let secondRun = try #require(try root.records("nightly").last).runId
    let pipelinePage = try #require(root.read("site/pipelines/nightly.html"))
    #expect(pipelinePage.contains(firstRun) && pipelinePage.contains(secondRun))
    #expect(root.exists("site/runs/\(firstRun).html"))
    let runPage = try #require(root.read("site/runs/\(secondRun).html"))
    #expect(runPage.contains("href=\"../../logs/nightly/\(secondRun)/load.log\""))
    #expect(try #require(root.read("site/runs.html")).contains("runs/\(secondRun).html"))
    let pages = ["index.html", "runs.html", "pipelines/nightly.html", "runs/\(secondRun).html"]
    #expect(try ReportPages.strictParseErrors(pages.map { "\(root.path)/site/\($0)" }) == "")
  }

  @Test func aDeadRunSettledByTheNextRunShowsSettledOnTheUpdatedPages() throws {
    let root = TestRoot()
    root.write("pipelines/nightly.yaml", Self.pipeline)
    #expect(try Orchestrate.run(["nightly", "--root", root.path]).exitCode == 0)
    // As an orchestrator killed before its final write leaves the record:
    // `running`, its process gone, what happened in its journal.
    var dead = try root.onlyRecord("nightly")
    dead.status = .running
    dead.finishedAt = nil
    dead.exitCode = nil
    dead.pid = 999_999
    for index in dead.tasks.indices { dead.tasks[index].status = .pending }
    try RecordCoding.encoder().encode(dead).write(
      to: URL(fileURLWithPath: "\(root.path)/metrics/nightly/\(dead.runId).json"))

    let next = try Orchestrate.run(["nightly", "--root", root.path])
    #expect(next.exitCode == 0, "\(next.stdout)\(next.stderr)")
    #expect(try root.records("nightly").first?.status == .abandoned)
    let overview = try #require(root.read("site/index.html"))
    let pipelinePage = try #require(root.read("site/pipelines/nightly.html"))
    // As `status` tells it: the dead run settled, no run in progress, no problem.
    #expect(overview.contains("<title>orchestrate: OK</title>"), "\(overview)")
    #expect(overview.contains("<title>\(dead.runId): abandoned"), "\(overview)")
    #expect(!overview.contains("\(dead.runId): running"))
    // Its tasks as its journal tells them, not as the dead record left them.
    #expect(pipelinePage.contains("\(dead.runId): completed"), "\(pipelinePage)")
    #expect(!pipelinePage.contains("\(dead.runId): pending"), "\(pipelinePage)")
    #expect(pipelinePage.contains("<b>runs recorded</b>2"), "\(pipelinePage)")
  }

  @Test func reportOptionOnRunAndRerun() throws {
    let root = TestRoot()
    root.write(
      "pipelines/flaky.yaml",
      """
      tasks:
        - name: fetch
          run: 'test -f "$ORCHESTRATE_ROOT/ready"'
      """)
    // Relative to the current directory, as `report -o`.
    let failed = try Orchestrate.run(
      ["flaky", "--root", root.path, "--report", "out"], directory: root.path)
    #expect(failed.exitCode == 1, "the task's failure stays the exit code")
    let failedRun = try root.onlyRecord("flaky").runId
    #expect(root.exists("out/runs/\(failedRun).html"))
    #expect(!root.exists("report"))

    root.write("ready", "")
    let rerun = try Orchestrate.run(
      ["rerun", failedRun, "--root", root.path, "--report", root.path + "/out"])
    #expect(rerun.exitCode == 0, "\(rerun.stdout)\(rerun.stderr)")
    let rerunId = try #require(try root.records("flaky").last).runId
    #expect(rerunId != failedRun)
    let page = try #require(root.read("out/runs/\(rerunId).html"))
    #expect(page.contains(failedRun), "the rerun's page names the run it reruns")
  }

  @Test func aReportThatCannotBeWrittenIsAWarningNotTheExitCode() throws {
    let root = TestRoot()
    root.write("pipelines/nightly.yaml", Self.pipeline)
    root.write("site", "a file where the report's directory should be\n")
    let run = try Orchestrate.run(["nightly", "--root", root.path])
    #expect(run.exitCode == 0)
    let problem =
      "report: \(root.path)/site/index.html not updated: cannot write \(root.path)/site: a file of that name exists"
    #expect(run.stdout.contains(problem), "\(run.stdout)")
    let runId = try root.onlyRecord("nightly").runId
    #expect(try root.onlyRecord("nightly").status == .completed)
    #expect(eventLog(root, "nightly", runId).contains(problem))
  }

  @Test func anotherWriterHoldingTheReportDelaysTheRunOnlyBriefly() throws {
    let root = TestRoot()
    root.write("pipelines/nightly.yaml", Self.pipeline)
    try FileManager.default.createDirectory(
      atPath: root.path + "/site", withIntermediateDirectories: true)
    // Another writer (as `orchestrate report` would) holds the report's lock.
    let holder = Process()
    holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
    holder.arguments = ["--no-fork", root.path + "/site", "-c", "echo locked; exec sleep 600"]
    let output = Pipe()
    holder.standardOutput = output
    try holder.run()
    // With --no-fork the holder's pid is the sleep's, holding the lock.
    func release() {
      kill(holder.processIdentifier, SIGKILL)
      holder.waitUntilExit()
    }
    defer { if holder.isRunning { release() } }
    let ready = output.fileHandleForReading.availableData
    #expect(String(decoding: ready, as: UTF8.self) == "locked\n")

    let run = try Orchestrate.run(["nightly", "--root", root.path])
    #expect(run.exitCode == 0)
    #expect(
      run.stdout.contains(
        "report: \(root.path)/site/index.html not updated within \(Int(RunEndReport.deadline))s; "
          + "`orchestrate report --root \(root.path) -o \(root.path)/site` brings it up to date"),
      "\(run.stdout)")
    #expect(try root.onlyRecord("nightly").status == .completed)
    #expect(!root.exists("site/index.html"))

    release()
    let later = try Orchestrate.run(["report", "--root", root.path, "-o", root.path + "/site"])
    #expect(later.exitCode == 0)
    #expect(root.exists("site/index.html"))
  }
}
