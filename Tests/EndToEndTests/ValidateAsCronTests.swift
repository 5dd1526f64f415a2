import Foundation
import OrchestrateKit
import Testing

/// `validate` means the night will start: programs in `run:` text, the
/// environment cron gives a scheduled pipeline, and the variables its
/// channels need.
@Suite struct ValidateAsCronTests {
  @Test func aProgramInRunTextIsLookedUp() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/p.yaml",
      """
      tasks:
        - name: load
          run: |
            mkdir -p out
            psqlx-\(root.marker) -c 'select 1' > out/count
      """)
    let result = try Orchestrate.run(["validate", file])
    #expect(result.exitCode == 2)
    #expect(
      result.stderr.contains(
        "tasks[0].run: task 'load': program 'psqlx-\(root.marker)' is not on the task's PATH"),
      "\(result.stderr)")
    root.write("pipelines/p.yaml", "tasks: [{name: load, run: 'mkdir -p out && \"$TOOL\" x'}]\n")
    let dynamic = try Orchestrate.run(["validate", file])
    #expect(dynamic.exitCode == 0, "\(dynamic.stderr)")
    #expect(
      dynamic.stdout.contains("cannot tell before the run which program '$TOOL' in run: starts"),
      "\(dynamic.stdout)")
  }

  /// A program on this shell's PATH only: fine for a run by hand, not for
  /// the scheduled one, and `--as-cron` says what it assumed.
  @Test func whatOnlyThisShellHasFailsUnderCron() throws {
    let root = TestRoot()
    let tool = root.write("bin/ingest-tool", "#!/bin/sh\nexit 0\n")
    chmod(tool, 0o755)
    let shell = Orchestrate.cronEnvironment(["PATH": "\(root.path)/bin:/usr/bin:/bin"])
    let file = root.write("pipelines/p.yaml", "tasks: [{name: a, argv: [ingest-tool]}]\n")
    #expect(try Orchestrate.run(["validate", file], environment: shell).exitCode == 0)
    let asCron = try Orchestrate.run(["validate", file, "--as-cron"], environment: shell)
    #expect(asCron.exitCode == 2)
    #expect(
      asCron.stderr.contains(
        "program 'ingest-tool' is not on the task's PATH (PATH=/usr/bin:/bin)"),
      "\(asCron.stderr)")
    #expect(asCron.stderr.contains("(as cron runs it: HOME="), "\(asCron.stderr)")
    #expect(asCron.stderr.contains("PATH=/usr/bin:/bin SHELL=/bin/sh"), "\(asCron.stderr)")

    root.write(
      "pipelines/p.yaml", "schedule: \"0 2 * * *\"\ntasks: [{name: a, argv: [ingest-tool]}]\n")
    let scheduled = try Orchestrate.run(["validate", file], environment: shell)
    #expect(scheduled.exitCode == 2)
    #expect(
      scheduled.stderr.contains("tasks[0].argv[0]: under cron: task 'a': program 'ingest-tool'"),
      "\(scheduled.stderr)")
    // The pipeline's own PATH is what cron's runs get too.
    root.write(
      "pipelines/p.yaml",
      """
      schedule: "0 2 * * *"
      env: {PATH: "\(root.path)/bin:/usr/bin:/bin"}
      tasks: [{name: a, argv: [ingest-tool]}]
      """)
    #expect(try Orchestrate.run(["validate", file], environment: shell).exitCode == 0)
  }

  @Test func aChannelsVariableMustBeSetWhereTheRunReadsIt() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/p.yaml",
      """
      notify:
        - webhook: {url_env: NOT_SET_ANYWHERE}
      tasks: [{name: a, run: 'true'}]
      """)
    let validate = try Orchestrate.run(["validate", file])
    #expect(validate.exitCode == 2)
    #expect(
      validate.stderr.contains(
        "notify[0].url_env: NOT_SET_ANYWHERE is not set: the webhook channel could tell nobody"),
      "\(validate.stderr)")
    let run = try Orchestrate.run([file, "--root", root.path])
    #expect(run.exitCode == 0)
    #expect(
      try root.onlyRecord("p").warnings?.contains { $0.contains("NOT_SET_ANYWHERE is not set") }
        == true)
    root.write(
      "pipelines/p.yaml",
      """
      env: {NOT_SET_ANYWHERE: "http://127.0.0.1:9/hook"}
      notify:
        - webhook: {url_env: NOT_SET_ANYWHERE}
      tasks: [{name: a, run: 'true'}]
      """)
    #expect(try Orchestrate.run(["validate", file]).exitCode == 0)
  }

  /// Every task's problem in one pass, each on its own line.
  @Test func everyTasksProblemIsNamed() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/p.yaml",
      """
      tasks:
        - {name: a, run: 'true', retry_backoff: 0}
        - {name: b, run: 'true'}
        - {name: c, run: 'true', retries: -1}
      """)
    let result = try Orchestrate.run(["validate", file])
    #expect(result.exitCode == 2)
    let lines = result.stderr.split(separator: "\n")
    #expect(lines.count == 2, "\(result.stderr)")
    #expect(
      lines.first?.contains("p.yaml:2:") == true
        && lines.first?.contains("tasks[0].retry_backoff") == true, "\(result.stderr)")
    #expect(
      lines.last?.contains("p.yaml:4:") == true && lines.last?.contains("tasks[2].retries") == true,
      "\(result.stderr)")
  }
}
