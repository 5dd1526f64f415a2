import Dispatch
import Foundation
import Testing

@testable import OrchestrateCore
@testable import OrchestrateExecution
@testable import OrchestrateRecords

/// A whole run, from its directories to its final record and index line,
/// with its tasks on `FakeExecutor`: what it leaves on disk at each step,
/// and what a run that cannot start leaves (nothing).
@Suite struct PipelineRunTests {
  @Test func aRunIsRecordedBeforeItsFirstTaskAndIndexedWhenItEnds() throws {
    let root = try RunRoot(
      """
      tasks:
        - {name: extract, run: x}
        - {name: load, run: x, depends_on: [extract]}
      """)
    let running = root.startRun()
    #expect(root.executor.waitForStarts(1) == ["extract#1"])
    let early = try root.onlyRecord()
    #expect(early["status"] as? String == "running")
    #expect(
      (early["tasks"] as? [[String: Any]])?.map { $0["name"] as? String } == ["extract", "load"])
    root.executor.end("extract", .exited(0))
    #expect(root.executor.waitForStarts(2) == ["extract#1", "load#1"])
    root.executor.end("load", .exited(0))

    let outcome = try running.outcome()
    #expect(outcome.exitCode == 0)
    #expect(outcome.record.status == .completed)
    let final = try root.onlyRecord()
    #expect(final["status"] as? String == "completed")
    #expect(final["run_id"] as? String == outcome.record.runId)
    let logs = root.layout.runLogDirectory(
      pipeline: "p", run: try #require(RunID(outcome.record.runId)))
    #expect(FileManager.default.fileExists(atPath: "\(logs)/\(RunJournal.fileName)"))
    let index = StatusIndex.load(directory: root.layout.metricsDirectory(pipeline: "p"))
    #expect(index.runs.map(\.runId) == [outcome.record.runId])
  }

  @Test func aFailedTaskMakesAPartialRunThatStillEndsAndReleasesTheLock() throws {
    let root = try RunRoot(
      """
      max_parallel: 2
      tasks:
        - {name: a, run: x}
        - {name: b, run: x}
      """)
    let first = root.startRun()
    _ = root.executor.waitForStarts(2)
    root.executor.end("a", .exited(4))
    root.executor.end("b", .exited(0))
    let outcome = try first.outcome()
    #expect(outcome.record.status == .partial)
    #expect(outcome.exitCode == 1)

    // The lock went with the run: the next one starts. A run's id is its
    // second and pid, so a second run of this process waits for the next second.
    let next = Date(timeIntervalSince1970: Double(Int(Date().timeIntervalSince1970) + 1))
    Thread.sleep(until: next)
    let second = root.startRun()
    _ = root.executor.waitForStarts(4)
    root.executor.end("a", .exited(0))
    root.executor.end("b", .exited(0))
    #expect(try second.outcome().record.status == .completed)
  }

  /// How a run that cannot start fails; it leaves no record and starts no task.
  func refusedStart(of root: RunRoot) throws -> PipelineRun.Failure? {
    let failure = #expect(throws: PipelineRun.Failure.self) {
      _ = try PipelineRun.execute(root.plan, options: root.options, events: root.events)
    }
    #expect(try root.recordFiles().isEmpty)
    #expect(root.executor.starts.isEmpty)
    return failure
  }

  @Test func aRunThatFindsTheLockHeldWritesNothing() throws {
    let root = try RunRoot("tasks: [{name: a, run: x}]")
    try FileManager.default.createDirectory(
      atPath: root.layout.metricsDirectory(pipeline: "p"), withIntermediateDirectories: true)
    let holder = try RunLock(
      path: root.layout.lockFile(pipeline: "p"), pipeline: "p", holder: "another run")
    defer { withExtendedLifetime(holder) {} }
    let failure = try refusedStart(of: root)
    #expect(failure?.exitCode == 75)
    #expect(failure?.description.contains("another run") == true)
  }

  @Test func aRunWhoseLogDirectoryIsTakenRemovesItsRecordAndStartsNothing() throws {
    let root = try RunRoot("tasks: [{name: a, run: x}]")
    // Every run directory of this process and second: one is sure to be the run's.
    let now = Date()
    for second in [now, now.addingTimeInterval(1)] {
      let planted = root.layout.runLogDirectory(
        pipeline: "p", run: RunID(startedAt: second, pid: getpid()))
      try FileManager.default.createDirectory(
        atPath: planted, withIntermediateDirectories: true)
    }
    let failure = try refusedStart(of: root)
    #expect(failure?.exitCode == 2)
    #expect(failure?.description.contains("something of that name exists already") == true)
  }
}

/// A root directory of its own with one pipeline, `p`, whose tasks go to a
/// `FakeExecutor`.
final class RunRoot: @unchecked Sendable {
  let directory = NSTemporaryDirectory() + "orchestrate-run-\(UUID().uuidString)"
  let layout: RootLayout
  let plan: Plan
  let executor: FakeExecutor
  let events = EventLog(echo: false, interactive: false)
  var options: PipelineRun.Options

  init(_ yaml: String) throws {
    layout = RootLayout(root: directory)
    try FileManager.default.createDirectory(
      atPath: "\(directory)/pipelines", withIntermediateDirectories: true)
    let file = "\(directory)/pipelines/p.yaml"
    try yaml.write(toFile: file, atomically: true, encoding: .utf8)
    plan = try Plan(
      pipeline: try PipelineLoader.parse(Data(yaml.utf8), file: file, defaultName: "p"))
    executor = FakeExecutor(capacity: plan.pipeline.maxParallel)
    executor.directory = directory
    options = PipelineRun.Options(layout: layout, trigger: .manual, environment: [:])
    options.executor = executor
  }

  deinit {
    try? FileManager.default.removeItem(atPath: directory)
  }

  /// A run on another thread, as `orchestrate` would start it.
  func startRun() -> RunningRun {
    let running = RunningRun()
    let (plan, options, events) = (plan, options, events)
    DispatchQueue.global().async {
      running.finish(
        Result { () throws(PipelineRun.Failure) in
          try PipelineRun.execute(plan, options: options, events: events)
        })
    }
    return running
  }

  func recordFiles() throws -> [String] {
    let metrics = layout.metricsDirectory(pipeline: "p")
    guard FileManager.default.fileExists(atPath: metrics) else { return [] }
    return try FileManager.default.contentsOfDirectory(atPath: metrics)
      .filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
  }

  /// The one record in the metrics directory, as a reader of the file sees it.
  func onlyRecord() throws -> [String: Any] {
    let files = try recordFiles()
    try #require(files.count == 1, "records: \(files)")
    let data = try Data(
      contentsOf: URL(fileURLWithPath: "\(layout.metricsDirectory(pipeline: "p"))/\(files[0])"))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }
}

final class RunningRun: @unchecked Sendable {
  private let done = DispatchSemaphore(value: 0)
  private var result: Result<PipelineRun.Outcome, PipelineRun.Failure>?

  func finish(_ result: Result<PipelineRun.Outcome, PipelineRun.Failure>) {
    self.result = result
    done.signal()
  }

  /// How the run ended (one that has not ended within a minute fails the test).
  func outcome() throws -> PipelineRun.Outcome {
    guard done.wait(timeout: .now() + 60) == .success, let result else {
      throw RunDidNotEnd()
    }
    return try result.get()
  }

  struct RunDidNotEnd: Error {}
}
