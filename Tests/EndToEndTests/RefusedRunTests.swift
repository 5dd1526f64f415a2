import Foundation
import OrchestrateKit
import Testing

/// A run refused before any task started, for a reason in the pipeline
/// file or on the machine, is recorded (status `refused`) and told, once;
/// a mistyped command line is neither.
@Suite(.serialized) struct RefusedRunTests {
  func pipeline(_ root: TestRoot, program: String) {
    root.write(
      "pipelines/nightly.yaml",
      """
      notify:
        - webhook: {url_env: HOOK}
          on: [failure, recovery]
      tasks:
        - {name: extract, argv: [\(program)]}
      """)
  }

  func run(_ root: TestRoot, _ server: RecordingHTTPServer) throws -> Invocation {
    try Orchestrate.run(
      ["nightly", "--root", root.path],
      environment: Orchestrate.cronEnvironment(["HOOK": "\(server.url)/hook"]))
  }

  func events(_ server: RecordingHTTPServer) -> [String] {
    server.requests().compactMap { $0.json?["event"] as? String }
  }

  @Test func aRefusedRunIsRecordedAndToldOnceThenItsRecoveryToo() throws {
    let root = TestRoot()
    let server = try RecordingHTTPServer(in: root)
    pipeline(root, program: "ingest-tool")  // on the user's PATH, not on cron's

    let refused = try run(root, server)
    #expect(refused.exitCode == 2)
    #expect(refused.stderr.contains("program 'ingest-tool' is not on the task's PATH"))
    let record = try root.onlyRecord("nightly")
    #expect(record.status == .refused)
    #expect(record.exitCode == 2)
    #expect(record.reason?.contains("program 'ingest-tool' is not on the task's PATH") == true)
    #expect(record.tasks.isEmpty)
    #expect(events(server) == ["failure"])
    let message = try #require(server.requests().first?.json)
    #expect("\(message)".contains("ingest-tool"), "\(message)")

    let status = try Orchestrate.run(["status", "--root", root.path])
    #expect(status.stdout.contains("CRITICAL"), "\(status.stdout)")
    #expect(status.stdout.contains("refused"), "\(status.stdout)")
    let check = try Orchestrate.run(["status", "--check", "--root", root.path])
    #expect(check.exitCode == 2, "\(check.stdout)")

    // The same refusal again: recorded, not told again.
    _ = try run(root, server)
    #expect(try root.records("nightly").count == 2)
    #expect(events(server) == ["failure"])

    pipeline(root, program: "true")
    #expect(try run(root, server).exitCode == 0)
    #expect(events(server) == ["failure", "recovery"])
  }

  /// A deploy that breaks the file: the refusal is recorded under the
  /// pipeline's name and told to the channels of the last version that ran.
  @Test func aBrokenFileIsToldThroughItsLastGoodVersion() throws {
    let root = TestRoot()
    let server = try RecordingHTTPServer(in: root)
    pipeline(root, program: "true")
    #expect(try run(root, server).exitCode == 0)
    root.write("pipelines/nightly.yaml", "tasks: [{name: extract, argv: [true]\n")
    let broken = try run(root, server)
    #expect(broken.exitCode == 2)
    let records = try root.records("nightly")
    #expect(records.count == 2)
    #expect(records.last?.status == .refused)
    #expect(records.last?.reason?.contains("nightly.yaml") == true)
    #expect(events(server) == ["failure"])

    // Gone altogether: the same.
    unlink("\(root.path)/pipelines/nightly.yaml")
    let gone = try run(root, server)
    #expect(gone.exitCode == 2)
    #expect(try root.records("nightly").count == 3)
  }

  @Test func aMissingEnvFileIsARefusal() throws {
    let root = TestRoot()
    root.write(
      "pipelines/nightly.yaml",
      """
      environments:
        prod: {env_file: secrets/prod.env}
      tasks: [{name: a, run: 'true'}]
      """)
    let result = try Orchestrate.run(["nightly", "--root", root.path, "-e", "prod"])
    #expect(result.exitCode == 2)
    let record = try root.onlyRecord("nightly")
    #expect(record.status == .refused)
    #expect(record.environment == "prod")
    #expect(record.reason?.contains("env_file secrets/prod.env") == true)
  }

  /// What only the command line got wrong is not a night that failed.
  @Test func aMistypedCommandLineIsNotRecorded() throws {
    let root = TestRoot()
    root.write(
      "pipelines/nightly.yaml",
      "params: {limit: {type: int, default: 1}}\ntasks: [{name: a, run: 'true'}]\n")
    for arguments in [
      ["nightyl"], ["nightly", "--source", "nope"], ["nightly", "-p", "limt=3"],
      ["nightly", "-e", "prod"], ["nightly", "--task", "b"],
    ] {
      let result = try Orchestrate.run(arguments + ["--root", root.path])
      #expect(result.exitCode == 2, "\(arguments)")
    }
    #expect(!root.exists("metrics/nightly"))
    #expect(!root.exists("metrics/nightyl"))
    // Nor a dry run's.
    pipeline(root, program: "no-such-program")
    #expect(try Orchestrate.run(["nightly", "--dry-run", "--root", root.path]).exitCode == 2)
    #expect(!root.exists("metrics/nightly"))
  }
}
