import Foundation
import Testing

/// What a mistyped command line is told: one style for every command and
/// both programs (`orchestrate: …`, then where the options are listed), and
/// the name most likely meant when a subcommand or a task is misspelt.
@Suite struct MistypedCommandLineTests {
  static let pipeline = """
    sources: [geo, sra]
    params:
      full_refresh: {type: bool, default: false}
    tasks:
      - {name: download, for_each_source: true, run: 'true'}
      - {name: transform, depends_on: [download], run: 'true'}
    """

  func refused(_ arguments: [String], in root: TestRoot) throws -> String {
    let result = try Orchestrate.run(arguments, directory: root.path)
    #expect(result.exitCode == 2, "\(arguments): \(result.stderr)")
    #expect(result.stdout.isEmpty, "\(arguments): \(result.stdout)")
    return result.stderr
  }

  @Test func aMistypedSubcommandIsNotTakenForAPipeline() throws {
    let root = TestRoot()
    root.write("pipelines/nightly.yaml", Self.pipeline)
    #expect(
      try refused(["statsu"], in: root)
        == "orchestrate: unknown command 'statsu'; did you mean 'status'?\n"
        + "(see orchestrate --help)\n")
    #expect(
      try refused(["logz", "--root", root.path], in: root)
        == "orchestrate: unknown command 'logz'; did you mean 'logs'?\n(see orchestrate --help)\n")
    // Far from every subcommand: a pipeline that is not there.
    #expect(try refused(["nightlly"], in: root).contains("nightlly: no such pipeline"))
  }

  @Test func aPipelineNamedLikeATypoStillRuns() throws {
    let root = TestRoot()
    root.write("pipelines/statsu.yaml", "tasks: [{name: a, run: 'true'}]")
    let run = try Orchestrate.run(["statsu", "--root", root.path])
    #expect(run.exitCode == 0, "\(run.stderr)")
    #expect(try root.onlyRecord("statsu").status == .completed)
  }

  @Test func aMistypedTaskNamesThePerSourceTaskMeant() throws {
    let root = TestRoot()
    let file = root.write("pipelines/nightly.yaml", Self.pipeline)
    for arguments in [["run", "--task", "dowload", file], [file, "--task", "dowload"]] {
      #expect(
        try refused(arguments, in: root)
          == "orchestrate: --task: unknown task 'dowload' (did you mean 'download'?)\n")
    }
    #expect(
      try refused([file, "--task", "download[gao]"], in: root)
        == "orchestrate: --task: unknown task 'download[gao]' (did you mean 'download[geo]'?)\n")
  }

  @Test func everyUsageErrorHasOneStyle() throws {
    let root = TestRoot()
    let file = root.write("pipelines/nightly.yaml", Self.pipeline)
    let cases: [([String], String, String)] = [
      (["status", "--bogus"], "unknown option '--bogus'", "orchestrate status"),
      (
        ["status", "--days", "x"], "the value 'x' is invalid for '--days <days>'",
        "orchestrate status"
      ),
      (["logs"], "give a run id, or --last for the newest run", "orchestrate logs"),
      (["notify", "test"], "missing expected argument '<pipeline>'", "orchestrate notify test"),
      (["--bogus"], "missing expected argument '<pipeline>'", "orchestrate run"),
      (
        ["backfill", file, "--from", "2026-01-02", "--to", "2026-01-01"],
        "--from and --to must be dates (YYYY-MM-DD), --from not after --to", "orchestrate backfill"
      ),
      // Known only once the pipeline's bool parameters are read.
      ([file, "--bogus"], "unknown option '--bogus'", "orchestrate run"),
      (
        ["run", file, "--full-refesh"],
        "unknown option '--full-refesh' (did you mean '--full-refresh'?)",
        "orchestrate run"
      ),
      (["serve", "--bogus"], "unknown option '--bogus'", "orchestrate serve"),
      (["serve", "--days", "0"], "--days must be at least 1, got 0", "orchestrate serve"),
    ]
    for (arguments, message, command) in cases {
      #expect(
        try refused(arguments, in: root) == "orchestrate: \(message)\n(see \(command) --help)\n")
    }
  }

  @Test func nothingTypedShowsTheHelp() throws {
    let root = TestRoot()
    let result = try Orchestrate.run([], directory: root.path)
    #expect(result.exitCode == 2)
    #expect(result.stderr.hasPrefix("OVERVIEW: "), "\(result.stderr)")
    #expect(result.stderr.contains("SUBCOMMANDS:"))
  }
}
