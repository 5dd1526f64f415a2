import Foundation
import OrchestrateKit
import Testing

/// `run_if: always` tasks (clean-up, a notification hook) run when the run
/// ends early too, within `finally_timeout`, and can tell what happened.
@Suite(.serialized) struct FinallyTasksTests {
  static func pipeline(_ root: TestRoot, extra: String = "", cleanup: String) -> String {
    root.write(
      "pipelines/p.yaml",
      """
      max_parallel: 2
      \(extra)
      tasks:
        - {name: load, run: 'touch load-started; sleep 300 # \(root.marker)', kill_grace: 1s}
        - {name: never, run: 'true', depends_on: [load]}
        - name: cleanup
          depends_on: [never]
          run_if: always
          kill_grace: 1s
          run: \(cleanup)
      """)
  }

  static let report =
    "'echo \"$ORCHESTRATE_RUN_STATUS|$ORCHESTRATE_FAILED_TASKS\" > cleanup-ran'"

  @Test func anAlwaysTaskRunsAfterSIGTERMAndTheRunStaysCancelled() throws {
    let root = TestRoot()
    let file = Self.pipeline(root, cleanup: Self.report)
    let run = try Orchestrate.start([file], directory: root.path)
    try root.waitFor("load-started")
    run.signal(SIGTERM)
    let result = run.wait()
    #expect(result.signal == SIGTERM)
    let record = try root.onlyRecord("p")
    #expect(record.status == .cancelled)
    #expect(record.exitCode == 143)
    #expect(record.task("load")?.status == .cancelled)
    #expect(record.task("never")?.status == .skipped)
    let cleanup = try #require(record.task("cleanup"))
    #expect(cleanup.status == .completed)
    #expect(cleanup.reason == "ran after received SIGTERM because run_if: always")
    #expect(root.read("cleanup-ran") == "cancelled|never\n")
    #expect(root.processes().isEmpty)
  }

  @Test func anAlwaysTaskRunsAfterTheRunTimeout() throws {
    let root = TestRoot()
    let file = Self.pipeline(root, extra: "timeout: 1s", cleanup: Self.report)
    let result = try Orchestrate.run([file], directory: root.path, timeout: 60)
    #expect(result.exitCode == 1)
    let record = try root.onlyRecord("p")
    #expect(record.reason == "run timeout (1s) reached")
    #expect(record.task("cleanup")?.status == .completed)
    #expect(root.read("cleanup-ran") == "timed_out|never\n")
  }

  @Test func aSecondSignalStopsTheAlwaysTasks() throws {
    let root = TestRoot()
    let file = Self.pipeline(root, cleanup: "'touch cleanup-started; sleep 300 # \(root.marker)'")
    let run = try Orchestrate.start([file], directory: root.path)
    try root.waitFor("load-started")
    run.signal(SIGTERM)
    try root.waitFor("cleanup-started")
    run.signal(SIGTERM)
    let result = run.wait(timeout: 30)
    #expect(result.signal == SIGTERM)
    let cleanup = try #require(try root.onlyRecord("p").task("cleanup"))
    #expect(cleanup.status == .cancelled)
    #expect(cleanup.signal == SIGTERM)
    #expect(root.processes().isEmpty)
  }

  @Test func finallyTimeoutBoundsTheAlwaysTasks() throws {
    let root = TestRoot()
    let file = Self.pipeline(
      root, extra: "finally_timeout: 1s",
      cleanup: "'touch cleanup-started; sleep 300 # \(root.marker)'")
    let run = try Orchestrate.start([file], directory: root.path)
    try root.waitFor("load-started")
    run.signal(SIGINT)
    let result = run.wait(timeout: 30)
    #expect(result.signal == SIGINT)
    let record = try root.onlyRecord("p")
    #expect(record.status == .cancelled)
    let cleanup = try #require(record.task("cleanup"))
    #expect(cleanup.status == .cancelled)
    #expect(cleanup.reason?.hasPrefix("finally_timeout (1s) reached; ran after") == true)
    #expect(root.exists("cleanup-started"))
    #expect(root.processes().isEmpty)
  }

  @Test func finallyTimeoutCannotBeSwitchedOff() throws {
    let root = TestRoot()
    let file = Self.pipeline(root, extra: "finally_timeout: never", cleanup: "'true'")
    let result = try Orchestrate.run(["validate", file])
    #expect(result.exitCode == 2)
    #expect(result.stderr.contains("finally_timeout: cannot be 'never'"), "\(result.stderr)")
  }
}
