import Foundation
import OrchestrateKit
import Testing

/// What status points a person at: a misspelt name, retries that hide
/// trouble, a success rate sliding, and a table that fits their terminal.
@Suite struct StatusAttentionTests {
  @Test func anUnknownPipelineGetsASuggestion() throws {
    let root = TestRoot()
    root.write("pipelines/daily.yaml", "tasks: [{name: a, run: 'true'}]")
    root.write("pipelines/weekly.yaml", "tasks: [{name: a, run: 'true'}]")
    #expect(try Orchestrate.run(["daily", "--root", root.path]).exitCode == 0)
    let typo = try Orchestrate.run(["status", "daly", "--root", root.path])
    #expect(typo.exitCode == 2)
    #expect(typo.stdout.isEmpty)
    #expect(typo.stderr == "orchestrate: no pipeline 'daly' (did you mean 'daily'?)\n")
    let far = try Orchestrate.run(["status", "hourly-export", "--root", root.path])
    #expect(far.exitCode == 2)
    #expect(
      far.stderr.contains("no pipeline 'hourly-export' in \(root.path) (found: daily, weekly)"))
    // A pipeline with a file and no runs yet is known: UNKNOWN, not an error.
    let fresh = try Orchestrate.run(["status", "weekly", "--check", "--root", root.path])
    #expect(fresh.exitCode == 3, "\(fresh.stdout)\(fresh.stderr)")
  }

  @Test func aTaskThatKeepsNeedingRetriesIsAWarning() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/p.yaml",
      """
      tasks:
        - {name: steady, run: 'true'}
        - {name: flaky, run: '[ "$ORCHESTRATE_ATTEMPT" -gt 1 ] || [ -e "$ORCHESTRATE_ROOT/calm" ]', retries: 2}
      """)
    root.write("calm", "")
    #expect(try Orchestrate.run([file]).exitCode == 0)
    unlink("\(root.path)/calm")
    let once = try Orchestrate.run(["status", "p", "--check", "--root", root.path])
    #expect(once.exitCode == 0, "\(once.stdout)")
    // Two runs of three needed a retry: more than half, but three runs are
    // too few to call it a pattern.
    for _ in 0..<2 { #expect(try Orchestrate.run([file]).exitCode == 0) }
    let few = try Orchestrate.run(["status", "p", "--check", "--root", root.path])
    #expect(few.exitCode == 0, "\(few.stdout)")
    for _ in 0..<2 { #expect(try Orchestrate.run([file]).exitCode == 0) }
    let check = try Orchestrate.run(["status", "p", "--check", "--root", root.path])
    #expect(check.exitCode == 1, "\(check.stdout)")
    #expect(
      check.stdout.hasPrefix(
        "ORCHESTRATE WARNING - p: task flaky needed retries in 4 of its 5 runs (80%)"))
    let table = try Orchestrate.run(["status", "p", "--root", root.path])
    let header = try #require(table.stdout.split(separator: "\n").first { $0.hasPrefix("  task") })
    #expect(header.contains(" runs fail retried "), "\(header)")
    let flaky = try #require(table.stdout.split(separator: "\n").first { $0.hasPrefix("  flaky") })
    #expect(flaky.split(separator: " ").prefix(4) == ["flaky", "5", "0", "4"], "\(flaky)")
  }

  @Test func aSuccessRateBelowThePipelinesThresholdIsAWarning() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/p.yaml",
      """
      tasks: [{name: a, run: 'test ! -e "$ORCHESTRATE_ROOT/break"'}]
      health: {min_success_rate: 0.9}
      """)
    root.write("break", "")
    #expect(try Orchestrate.run([file]).exitCode == 1)
    unlink("\(root.path)/break")
    for _ in 0..<3 { #expect(try Orchestrate.run([file]).exitCode == 0) }
    let few = try Orchestrate.run(["status", "p", "--check", "--root", root.path])
    #expect(few.exitCode == 0, "four finished runs are too few to judge: \(few.stdout)")
    #expect(try Orchestrate.run([file]).exitCode == 0)
    let check = try Orchestrate.run(["status", "p", "--check", "--root", root.path])
    #expect(check.exitCode == 1, "\(check.stdout)")
    #expect(
      check.stdout.hasPrefix(
        "ORCHESTRATE WARNING - p: success rate 80% (4 of 5 runs in 7 days) is below min_success_rate 90%"
      ), "\(check.stdout)")
    #expect(check.stdout.contains("'p_success_rate'=80%;90:;;0;100"))
  }

  /// Through a pseudo-terminal of each width: every line fits, columns go
  /// from the right before a name is shortened.
  @Test(arguments: [60, 80, 100, 160])
  func theTableFitsTheTerminal(columns: Int) throws {
    let root = TestRoot()
    let long = "extract_metadata_from_source"
    let file = root.write(
      "pipelines/p.yaml",
      "tasks: [{name: \(long), run: 'true'}, {name: load, run: 'true'}]")
    #expect(try Orchestrate.run([file]).exitCode == 0)
    let result = try Orchestrate.run(
      [
        "-qec", "stty cols \(columns) rows 50; \(Orchestrate.binary) status p --root \(root.path)",
        "/dev/null",
      ], environment: Orchestrate.cronEnvironment(["TERM": "xterm-256color"]),
      binary: "/usr/bin/script")
    #expect(result.exitCode == 0, "\(result.stdout)")
    let lines = visibleLines(result.stdout)
    #expect(lines.count > 5, "\(result.stdout)")
    for line in lines { #expect(line.count <= columns, "\(line.count) > \(columns): \(line)") }
    let header = try #require(lines.first { $0.hasPrefix("  task") })
    let row = try #require(lines.first { $0.hasPrefix("  extract") })
    #expect(row.hasPrefix("  \(long) "), "the name is whole at \(columns) columns: \(row)")
    #expect(header.contains("retried"))
    #expect(header.contains("rss p95") == (columns >= 104), "\(header)")
    #expect(header.contains("p50") == (columns >= 77), "\(header)")
  }

  @Test func withoutATerminalColumnsOrAHundred() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/p.yaml", "tasks: [{name: extract_metadata_from_source, run: 'true'}]")
    #expect(try Orchestrate.run([file]).exitCode == 0)
    let narrow = try Orchestrate.run(
      ["status", "p", "--root", root.path],
      environment: Orchestrate.cronEnvironment(["COLUMNS": "64"]))
    #expect(narrow.stdout.split(separator: "\n").allSatisfy { $0.count <= 64 }, "\(narrow.stdout)")
    #expect(!narrow.stdout.contains("p95"))
    let standard = try Orchestrate.run(["status", "p", "--root", root.path])
    #expect(standard.stdout.split(separator: "\n").allSatisfy { $0.count <= 100 })
    #expect(standard.stdout.contains("p95"))
  }

  /// The text a person sees: escape sequences removed, lines split on the
  /// terminal's CR LF.
  private func visibleLines(_ text: String) -> [String] {
    let plain = text.replacingOccurrences(
      of: "\u{1B}\\[[0-9;?]*[A-Za-z]", with: "", options: .regularExpression)
    return plain.replacingOccurrences(of: "\r", with: "").split(separator: "\n").map(String.init)
  }
}
