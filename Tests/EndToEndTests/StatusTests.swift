import Foundation
import OrchestrateKit
import Testing

/// `orchestrate status` read back from the metrics of real runs.
@Suite struct StatusTests {
  func status(_ root: TestRoot, _ arguments: String...) throws -> Invocation {
    try Orchestrate.run(["status"] + arguments + ["--root", root.path])
  }

  @Test func reportsWhatHappenedAndChecksHealth() throws {
    let root = TestRoot()
    root.write("pipelines/good.yaml", "tasks: [{name: a, run: 'true'}, {name: b, run: 'true'}]")
    root.write(
      "pipelines/bad.yaml",
      "tasks: [{name: broken, run: 'echo disk on fire >&2; exit 3'}, {name: fine, run: 'true'}]")
    for name in ["good", "bad"] {
      try Orchestrate.run([name, "--root", root.path])
    }

    let table = try status(root)
    #expect(table.exitCode == 0, "\(table.stderr)")
    #expect(table.stdout.contains("good  OK"), "\(table.stdout)")
    #expect(table.stdout.contains("bad  CRITICAL"), "\(table.stdout)")
    #expect(table.stdout.contains("1 of 2 not completed: broken failed"), "\(table.stdout)")
    #expect(table.stdout.split(separator: "\n").allSatisfy { $0.count <= 100 })
    #expect(!table.stdout.contains("\u{1B}["), "no colour without a terminal")

    let one = try status(root, "good")
    #expect(one.stdout.contains("task"), "one pipeline shows its tasks")
    #expect(!one.stdout.contains("bad"))

    let check = try status(root, "--check")
    #expect(check.exitCode == 2)
    #expect(check.stdout.hasPrefix("ORCHESTRATE CRITICAL - bad: "))
    #expect(check.stdout.contains("bad: last run run_"))
    #expect(check.stdout.contains("partial: 1 of 2 tasks not completed"))
    // The summary and the root's figures first, one problem a line after it,
    // then each pipeline's performance data after a second `|`.
    let lines = check.stdout.split(separator: "\n").map(String.init)
    let problems = try RecordCoding.decoder().decode(
      StatusReport.self, from: Data(try status(root, "--json").stdout.utf8)
    ).health.problems.count
    #expect(lines.count == 1 + problems + 2, "\(check.stdout)")
    #expect(lines[0].contains(" (+\(problems - 1) more) | "), "\(lines[0])")
    #expect(
      lines[0].hasSuffix(
        " | 'pipelines_ok'=1;;;0 'pipelines_warning'=0;;;0 'pipelines_critical'=1;;;0 "
          + "'pipelines_unknown'=0;;;0 'running'=0;;;0"), "\(lines[0])")
    #expect(lines[1].hasPrefix("CRITICAL: bad: no successful run within max_age"))
    #expect(lines.contains { $0.hasPrefix("WARNING: bad: last run run_") }, "\(check.stdout)")
    // Problems first, as the report orders its pipelines.
    #expect(lines[problems + 1].hasPrefix("| 'bad_last_duration'="), "\(check.stdout)")
    #expect(lines[problems + 1].hasSuffix(" 'bad_success_rate'=0%;80:;;0;100 'bad_running'=0;;;0"))
    #expect(lines[problems + 2].hasPrefix("'good_last_duration'="), "\(check.stdout)")
    let healthy = try status(root, "good", "--check")
    #expect(healthy.exitCode == 0)
    let duration = try #require(try root.onlyRecord("good").durationSeconds)
    #expect(
      healthy.stdout
        == "ORCHESTRATE OK - 1 pipeline(s) healthy | 'pipelines_ok'=1;;;0 'pipelines_warning'=0;;;0 "
        + "'pipelines_critical'=0;;;0 'pipelines_unknown'=0;;;0 'running'=0;;;0\n"
        + "| 'good_last_duration'=\(HealthCheckLine.decimal(duration))s;;;0 "
        + "'good_success_rate'=100%;80:;;0;100 'good_running'=0;;;0\n")

    let json = try status(root, "--json")
    let report = try RecordCoding.decoder().decode(StatusReport.self, from: Data(json.stdout.utf8))
    #expect(report.health.level == .critical)
    #expect(Set(report.pipelines.map(\.name)) == ["good", "bad"])
    let bad = try #require(report.pipelines.first { $0.name == "bad" })
    #expect(bad.lastRun?.status == .partial || bad.lastRun?.status == .failed)
    #expect(bad.tasks.first { $0.name == "broken" }?.failures == 1)
    #expect(bad.window.successRate == 0)
  }

  @Test func noMetricsIsUnknown() throws {
    let root = TestRoot()
    let check = try status(root, "--check")
    #expect(check.exitCode == 3)
    #expect(check.stdout.hasPrefix("ORCHESTRATE UNKNOWN - no metrics in"))
    let unknown = try status(root, "nothing", "--check")
    #expect(unknown.exitCode == 2)
    #expect(
      unknown.stderr
        == "orchestrate: no pipeline 'nothing' in \(root.path) (no records in metrics/, no files in pipelines/)\n"
    )
  }

  @Test func writesPrometheusTextfileAndNamesAnUnwritablePath() throws {
    let root = TestRoot()
    root.write("pipelines/p.yaml", "tasks: [{name: a, run: 'true'}]")
    try Orchestrate.run(["p", "--root", root.path])
    let file = "\(root.path)/textfile/orchestrate.prom"
    try FileManager.default.createDirectory(
      atPath: "\(root.path)/textfile", withIntermediateDirectories: true)
    let written = try status(root, "--prometheus", file)
    #expect(written.exitCode == 0)
    #expect(written.stdout.isEmpty)
    let text = try String(contentsOfFile: file, encoding: .utf8)
    #expect(text.contains("orchestrate_last_run_status{pipeline=\"p\",status=\"completed\"} 1"))
    #expect(text.contains("# TYPE orchestrate_run_success_ratio gauge"))

    let refused = try status(root, "--prometheus", "/proc/orchestrate.prom")
    #expect(refused.exitCode == 2)
    #expect(refused.stderr.contains("/proc/orchestrate.prom"), "\(refused.stderr)")
  }

  @Test func brokenFilesInMetricsAreNamedInOneWarning() throws {
    let root = TestRoot()
    root.write("pipelines/p.yaml", "tasks: [{name: a, run: 'true'}]")
    try Orchestrate.run(["p", "--root", root.path])
    root.write("metrics/p/notes.json", "[1, 2, 3]")
    root.write("metrics/p/half.json", "{\"schema_version\": 1, \"run_")
    let table = try status(root)
    #expect(table.exitCode == 0)
    #expect(table.stdout.contains("p  OK"))
    let warnings = table.stderr.split(separator: "\n")
    #expect(warnings.count == 1, "\(table.stderr)")
    #expect(warnings.first?.contains("2 unreadable file(s)") == true)
    #expect(warnings.first?.contains("metrics/p/notes.json (not a run record)") == true)
    #expect(warnings.first?.contains("metrics/p/half.json") == true)
  }
}
