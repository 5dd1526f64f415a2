import Dispatch
import Foundation
import Testing

@testable import OrchestrateCore
@testable import OrchestrateExecution
@testable import OrchestrateRecords

/// The scheduler alone: attempts go to an executor the test holds, time
/// moves when the test says so, and no process is started. Order, fan-out,
/// retries, timeouts, `run_if: always` and cancellation, each decided by the
/// scheduler and seen in what it asked the executor and in its final record.
@Suite struct SchedulerTests {
  @Test func readyTasksStartInFileOrderNoMoreThanMaxParallelAtOnce() throws {
    let run = try ScheduledRun(
      """
      max_parallel: 2
      tasks:
        - {name: a, run: x}
        - {name: b, run: x}
        - {name: c, run: x}
        - {name: d, run: x, depends_on: [a]}
        - {name: e, run: x}
      """)
    run.start()
    #expect(run.executor.waitForStarts(2) == ["a#1", "b#1"])
    run.executor.end("b", .exited(0))
    #expect(run.executor.waitForStarts(3) == ["a#1", "b#1", "c#1"])
    // d waits for a; e is ready but there is no room until one ends.
    run.executor.end("a", .exited(0))
    #expect(run.executor.waitForStarts(4).last == "d#1")
    run.executor.end("c", .exited(0))
    #expect(run.executor.waitForStarts(5).last == "e#1")
    run.executor.end("d", .exited(0))
    run.executor.end("e", .exited(0))
    let record = try run.finalRecord()
    #expect(record.status == .completed)
    #expect(record.counts.completed == 5)
    #expect(run.executor.mostAtOnce == 2)
  }

  /// A kill -9 right after a start must not lose what ended before it:
  /// the journal has it before the next attempt can run.
  @Test func whatEndedIsInTheJournalBeforeTheNextAttemptStarts() throws {
    let run = try ScheduledRun(
      """
      tasks:
        - {name: extract, run: x}
        - {name: load, run: x, depends_on: [extract]}
      """)
    let seen = Lock()
    var journalAtStart: [String: String] = [:]
    run.executor.beforeStart = { [journalPath = run.journalPath] attempt in
      let text = (try? String(contentsOfFile: journalPath, encoding: .utf8)) ?? ""
      seen.withLock { journalAtStart[attempt] = text }
    }
    run.start()
    _ = run.executor.waitForStarts(1)
    run.executor.end("extract", .exited(0))
    _ = run.executor.waitForStarts(2)
    run.executor.end("load", .exited(0))
    _ = try run.finalRecord()
    let before = seen.withLock { journalAtStart["load#1"] } ?? ""
    #expect(before.contains("exited\t"), "\(before)")
    #expect(before.contains("\textract\tcompleted"), "\(before)")
  }

  @Test func aFailedDependencySkipsItsDependentsAndNothingElse() throws {
    let run = try ScheduledRun(
      """
      tasks:
        - {name: extract, run: x}
        - {name: load, run: x, depends_on: [extract]}
        - {name: other, run: x}
      """)
    run.start()
    _ = run.executor.waitForStarts(1)
    run.executor.end("extract", .exited(3))
    #expect(run.executor.waitForStarts(2) == ["extract#1", "other#1"])
    run.executor.end("other", .exited(0))
    let record = try run.finalRecord()
    #expect(record.status == .partial)
    #expect(record.tasks.map(\.status) == [.failed, .skipped, .completed])
    #expect(record.tasks[1].reason == "dependency extract failed")
  }

  @Test func aFailedAttemptIsRetriedAfterItsBackoffOnTheClock() throws {
    let run = try ScheduledRun(
      """
      tasks:
        - {name: flaky, run: x, retries: 2, retry_delay: 10s, retry_backoff: 3}
      """)
    run.start()
    _ = run.executor.waitForStarts(1)
    run.executor.end("flaky", .exited(1))
    // The other timer is the run's own timeout, a day by default.
    #expect(run.timers.waitForPending() == [10, 86400])
    run.timers.advance(by: 9.9)
    #expect(run.executor.starts == ["flaky#1"])
    run.timers.advance(by: 0.1)
    #expect(run.executor.waitForStarts(2) == ["flaky#1", "flaky#2"])
    run.executor.end("flaky", .exited(1))
    #expect(run.timers.waitForPending() == [30, 86390])
    run.timers.advance(by: 30)
    _ = run.executor.waitForStarts(3)
    run.executor.end("flaky", .exited(0))
    let record = try run.finalRecord()
    #expect(record.status == .completed)
    #expect(record.tasks[0].attempts.map(\.exitCode) == [1, 1, 0])
  }

  @Test func aTaskPastItsTimeoutGetsSIGTERMThenSIGKILLAfterItsGrace() throws {
    let run = try ScheduledRun(
      """
      tasks:
        - {name: stuck, run: x, timeout: 30s, kill_grace: 5s}
      """)
    run.executor.ignoresSIGTERM = true
    run.start()
    _ = run.executor.waitForStarts(1)
    run.timers.advance(by: 29)
    #expect(run.executor.signals.isEmpty)
    run.timers.advance(by: 1)
    #expect(run.executor.waitForSignals(1) == ["stuck#1 SIGTERM"])
    run.timers.advance(by: 5)
    #expect(run.executor.waitForSignals(2) == ["stuck#1 SIGTERM", "stuck#1 SIGKILL"])
    let record = try run.finalRecord()
    #expect(record.tasks[0].status == .timedOut)
    #expect(record.tasks[0].attempts[0].timedOut)
    #expect(record.tasks[0].signal == SIGKILL)
  }

  @Test func theRunsTimeoutStopsWhatRunsAndStillRunsItsRunIfAlwaysTasks() throws {
    let run = try ScheduledRun(
      """
      timeout: 1h
      finally_timeout: 10m
      tasks:
        - {name: load, run: x}
        - {name: later, run: x, depends_on: [load]}
        - {name: cleanup, run: x, depends_on: [load], run_if: always}
      """)
    run.start()
    _ = run.executor.waitForStarts(1)
    run.timers.advance(by: 3600)
    #expect(run.executor.waitForSignals(1) == ["load#1 SIGTERM"])
    // load ends from SIGTERM: later is skipped, cleanup runs anyway.
    #expect(run.executor.waitForStarts(2) == ["load#1", "cleanup#1"])
    run.executor.end("cleanup", .exited(0))
    let record = try run.finalRecord()
    #expect(record.tasks.map(\.status) == [.cancelled, .skipped, .completed])
    #expect(record.reason == "run timeout (1h) reached")
    #expect(record.tasks[2].reason == "ran after run timeout (1h) reached because run_if: always")
  }

  @Test func aRunIfAlwaysTaskStillRunningAtFinallyTimeoutIsStopped() throws {
    let run = try ScheduledRun(
      """
      finally_timeout: 2m
      tasks:
        - {name: load, run: x}
        - {name: cleanup, run: x, depends_on: [load], run_if: always}
      """)
    run.start()
    _ = run.executor.waitForStarts(1)
    run.cancel(signal: SIGTERM)
    _ = run.executor.waitForStarts(2)
    run.timers.advance(by: 119)
    #expect(run.executor.signals == ["load#1 SIGTERM"])
    run.timers.advance(by: 1)
    #expect(run.executor.waitForSignals(2) == ["load#1 SIGTERM", "cleanup#1 SIGTERM"])
    let record = try run.finalRecord()
    #expect(record.status == .cancelled)
    #expect(record.exitCode == 128 + SIGTERM)
    #expect(record.tasks.map(\.status) == [.cancelled, .cancelled])
  }

  @Test func cancellingEndsPendingRetriesAndStartsNothingNew() throws {
    let run = try ScheduledRun(
      """
      max_parallel: 1
      tasks:
        - {name: flaky, run: x, retries: 3, retry_delay: 1m}
        - {name: waiting, run: x}
      """)
    run.start()
    _ = run.executor.waitForStarts(1)
    run.executor.end("flaky", .exited(1))
    // The retry waits its minute; waiting takes the free place meanwhile.
    #expect(run.executor.waitForStarts(2) == ["flaky#1", "waiting#1"])
    run.cancel(signal: SIGINT)
    _ = run.executor.waitForSignals(1)
    run.timers.advance(by: 60)
    let record = try run.finalRecord()
    #expect(run.executor.starts == ["flaky#1", "waiting#1"])
    #expect(record.tasks[0].status == .failed)
    #expect(record.tasks[0].reason == "no retry: received SIGINT")
    #expect(record.tasks[1].status == .cancelled)
  }
}

/// A scheduler over a pipeline given as YAML, with `FakeExecutor` and
/// `ManualTimers` unless `executor` makes the executor (which then runs on
/// the real clock), its files in a directory of its own.
final class ScheduledRun: @unchecked Sendable {
  let executor: FakeExecutor
  let timers = ManualTimers()
  let scheduler: Scheduler
  let directory: String
  let journalPath: String
  private let done = DispatchSemaphore(value: 0)
  private let lock = Lock()
  private var result: RunRecord?

  init(_ yaml: String, executor make: ((TaskLauncher, Pipeline) -> any Executor)? = nil) throws {
    directory = NSTemporaryDirectory() + "orchestrate-scheduler-\(UUID().uuidString)"
    let layout = RootLayout(root: directory)
    let pipeline = try PipelineLoader.parse(
      Data(yaml.utf8), file: "\(directory)/pipelines/p.yaml", defaultName: "p")
    let plan = try Plan(pipeline: pipeline)
    executor = FakeExecutor(capacity: pipeline.maxParallel)
    let run = RunID(startedAt: Date(), pid: 4242)
    let logs = layout.runLogDirectory(pipeline: "p", run: run)
    journalPath = "\(logs)/\(RunJournal.fileName)"
    try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(
      atPath: layout.metricsDirectory(pipeline: "p"), withIntermediateDirectories: true)
    let options = PipelineRun.Options(layout: layout, trigger: .manual, environment: [:])
    let launcher = TaskLauncher(
      layout: layout, pipeline: "p", run: run,
      sharedEnvironment: SharedEnvironment(["PATH": "/usr/bin:/bin"]),
      searchPath: "/usr/bin:/bin", workingDirectory: directory)
    scheduler = Scheduler(
      plan: plan,
      record: PipelineRun.initialRecord(
        plan, run: run, layout: layout, options: options, startedAt: Date()),
      launcher: launcher,
      events: EventLog(echo: false, interactive: false),
      journal: try RunJournal(path: "\(logs)/\(RunJournal.fileName)", tasks: plan.steps.count),
      metricsPath: layout.metricsFile(pipeline: "p", run: run), reserve: nil,
      maxParallel: pipeline.maxParallel, local: make?(launcher, pipeline) ?? executor,
      timers: make == nil ? timers : DispatchTimers())
    executor.directory = directory
  }

  deinit {
    try? FileManager.default.removeItem(atPath: directory)
  }

  func start() {
    scheduler.start { [self] record, _ in
      lock.withLock { result = record }
      done.signal()
    }
  }

  func cancel(signal: Int32) {
    scheduler.queue.sync {
      scheduler.cancel(reason: "received \(SignalName.of(signal))", signal: signal)
    }
  }

  /// The record the run ended with (a run that does not end within a minute
  /// is a failure, not a hang of the suite).
  func finalRecord() throws -> RunRecord {
    _ = done.wait(timeout: .now() + 60)
    return try #require(lock.withLock { result }, "the run did not end")
  }
}

/// An executor that starts nothing: it notes what it was asked, and an
/// attempt ends when the test (or a signal) says so.
final class FakeExecutor: Executor, @unchecked Sendable {
  let capacity: Int
  private let lock = Lock()
  private let changed = DispatchSemaphore(value: 0)
  private var started: [String] = []
  private var sent: [String] = []
  private var watchers: [String: @Sendable (AttemptEvent) -> Void] = [:]
  private var names: [pid_t: String] = [:]
  private var runningNow = 0
  private(set) var mostAtOnce = 0
  var ignoresSIGTERM = false
  var directory = ""
  /// Called with each attempt's name as it starts, before anything is started.
  var beforeStart: (String) -> Void = { _ in }

  init(capacity: Int) {
    self.capacity = capacity
  }

  var starts: [String] { lock.withLock { started } }
  var signals: [String] { lock.withLock { sent } }

  func start(_ step: Plan.Step, attempt: Int, context: [String: String]) throws(TaskLauncher
    .Failure) -> ExecutorLaunch
  {
    beforeStart("\(step.name)#\(attempt)")
    // Past the kernel's largest pid: no real process group has it.
    let pid = lock.withLock {
      let pid = pid_t(5_000_000 + names.count)
      names[pid] = "\(step.name)#\(attempt)"
      runningNow += 1
      mostAtOnce = max(mostAtOnce, runningNow)
      return pid
    }
    return ExecutorLaunch(
      handle: .process(pid, startTicks: nil), logFile: "logs/\(step.name).\(attempt).log",
      reports: TaskReportFollower(
        progressPath: "\(directory)/no-progress", metricsPath: "\(directory)/no-metrics",
        items: ItemReportReader(
          path: "\(directory)/no-items", run: "run_20261122_020000_1", task: step.name,
          attempt: attempt)),
      queued: false)
  }

  /// The scheduler watches an attempt once it is fully under way (its
  /// timeout set, its journal line written): only then is it counted as started.
  func watch(_ launch: ExecutorLaunch, events: @escaping @Sendable (AttemptEvent) -> Void) {
    guard case .process(let pid, _) = launch.handle else { return }
    lock.withLock {
      let attempt = names[pid]!
      started.append(attempt)
      watchers[String(attempt.prefix { $0 != "#" })] = events
    }
    changed.signal()
  }

  func noteStart(of launch: ExecutorLaunch, in attempt: inout AttemptRecord) -> String {
    guard case .process(let pid, _) = launch.handle else { return "" }
    attempt.pid = pid
    return "fake pid \(pid)"
  }

  /// Noted among the signals, as `SIGSTOP` and `SIGCONT`.
  func suspend(_ handle: AttemptHandle, problem: @escaping @Sendable (String) -> Void) {
    note(handle, SIGSTOP)
  }

  func resume(_ handle: AttemptHandle, problem: @escaping @Sendable (String) -> Void) {
    note(handle, SIGCONT)
  }

  private func note(_ handle: AttemptHandle, _ signal: Int32) {
    guard case .process(let pid, _) = handle else { return }
    lock.withLock { sent.append("\(names[pid]!) \(SignalName.of(signal))") }
    changed.signal()
  }

  func signal(_ handle: AttemptHandle, _ signal: Int32) {
    guard case .process(let pid, _) = handle else { return }
    let attempt = lock.withLock {
      sent.append("\(names[pid]!) \(SignalName.of(signal))")
      return names[pid]!
    }
    changed.signal()
    if signal == SIGKILL || !ignoresSIGTERM {
      // Not from within the scheduler's call: as a real exit, from another thread.
      let task = String(attempt.prefix { $0 != "#" })
      DispatchQueue.global().async { self.end(task, .signaled(signal)) }
    }
  }

  /// Ends the running attempt of `task` as `status`.
  func end(_ task: String, _ status: TerminationStatus) {
    let events = lock.withLock {
      runningNow -= 1
      return watchers.removeValue(forKey: task)
    }
    events?(
      .ended(
        AttemptEnd(
          status: status, usage: ResourceUsage(peakRSSBytes: 0, userSeconds: 0, systemSeconds: 0))))
  }

  /// The attempts started, once there are at least `count` (or after ten seconds).
  func waitForStarts(_ count: Int) -> [String] {
    waitUntil { self.starts.count >= count }
    return starts
  }

  func waitForSignals(_ count: Int) -> [String] {
    waitUntil { self.signals.count >= count }
    return signals
  }

  private func waitUntil(_ condition: () -> Bool) {
    let deadline = DispatchTime.now() + 10
    while !condition(), changed.wait(timeout: deadline) == .success {}
  }
}

/// Timers that fire when the test moves the clock on.
final class ManualTimers: SchedulerTimers, @unchecked Sendable {
  private let lock = Lock()
  private var now = 0.0
  private var timers: [(due: Double, queue: DispatchQueue, work: DispatchWorkItem)] = []

  func after(_ seconds: Double, on queue: DispatchQueue, _ work: DispatchWorkItem) {
    lock.withLock { timers.append((now + seconds, queue, work)) }
  }

  /// Seconds until each timer not cancelled fires, once there is one (or after ten seconds).
  func waitForPending(_ count: Int = 2) -> [Double] {
    let deadline = Date().addingTimeInterval(10)
    while pending.count < count, Date() < deadline { usleep(1000) }
    return pending
  }

  var pending: [Double] {
    lock.withLock { timers.filter { !$0.work.isCancelled }.map { $0.due - now }.sorted() }
  }

  /// Moves the clock on by `seconds`, running the timers that fall due, in order, on their queues.
  func advance(by seconds: Double) {
    let target = lock.withLock { now + seconds }
    while true {
      let next: (due: Double, queue: DispatchQueue, work: DispatchWorkItem)? = lock.withLock {
        let due = timers.indices.filter { timers[$0].due <= target + 1e-9 }
          .min { timers[$0].due < timers[$1].due }
        guard let due else { return nil }
        now = max(now, timers[due].due)
        return timers.remove(at: due)
      }
      guard let next else { break }
      next.queue.sync { if !next.work.isCancelled { next.work.perform() } }
    }
    lock.withLock { now = target }
  }
}
