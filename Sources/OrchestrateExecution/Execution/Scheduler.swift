import Dispatch
import FoundationEssentials
import Glibc
import HeapModule

/// Runs the steps of a plan through their executors (this machine's, and
/// the cluster's for tasks that run elsewhere), each at most its capacity at
/// a time, in file order among those whose dependencies are done. All state
/// lives on one serial queue; child exits, timers and signals arrive there
/// as events, so nothing is polled and nothing needs a lock. Ending early
/// (Scheduler+Cancellation), following progress (Scheduler+Progress) and
/// leftover processes (Scheduler+Leftovers) are in files of their own, so
/// its state is internal rather than private: only that queue touches it.
final class Scheduler: @unchecked Sendable {
  let queue = DispatchQueue(label: "orchestrate.scheduler")
  let plan: Plan
  let launcher: TaskLauncher
  let local: any Executor
  /// Where tasks that do not run on this machine run (a Slurm cluster).
  let cluster: (any Executor)?
  let timers: any SchedulerTimers
  let events: EventLog
  let journal: RunJournal
  var record: RunRecord
  var writer: MetricsWriter!

  let dependents: [[Int]]
  var unfinishedDependencies: [Int]
  /// Steps whose dependencies are done, smallest index (file order) first.
  var ready = Heap<Int>()
  var running: [Int: RunningAttempt] = [:]
  /// How many of `running` each executor runs, by its identity.
  var runningOn: [ObjectIdentifier: Int] = [:]
  var retryTimers: [Int: DispatchWorkItem] = [:]
  /// Process groups whose leader exited while other members still ran.
  var lingeringGroups = Set<pid_t>()
  /// What waits for such a group to be gone: a completed task's state
  /// commit and its end (Scheduler+State).
  var afterLeftovers: [pid_t: () -> Void] = [:]
  var finishedSteps = 0
  /// Finished tasks that did not complete, for ORCHESTRATE_FAILED_TASKS.
  var notCompleted: [String] = []
  /// Ends the time `run_if: always` tasks have once the run ends early.
  var finallyTimer: DispatchWorkItem?
  /// No more `run_if: always` task may start: a second signal, or their time ran out.
  var finallyStopped = false
  /// Processes that left their task's group have been looked for.
  var escapeesSought = false
  var cancellation: Cancellation?
  var runTimer: DispatchWorkItem?
  var reportTimer: DispatchSourceTimer?
  /// Report ticks since the last resource sample, and the groups' CPU ticks then.
  var resourceTicks = 0
  var resourceSampler = GroupSampler()
  var runStart = ContinuousClock.now
  /// When each task's first attempt started, by the monotonic clock: its
  /// duration spans its retries, and must not follow a wall clock that is
  /// stepped while it runs (`startedAt` is a label).
  var taskStarts: [Int: ContinuousClock.Instant] = [:]
  var completion: (@Sendable (RunRecord, AtomicFile.WriteError?) -> Void)?
  /// Time spent paused (`Scheduler+Pause`): timeouts do not count it.
  var pausedTime = PausedTime()
  /// Timeouts that came due while the run was paused, looked at again when it resumes.
  var deadlinesAwaitingResume: [(ActiveDeadline, DispatchWorkItem)] = []
  /// Told, on the queue, each time the run pauses (its `paused` notification).
  var onPause: ((RunRecord) -> Void)?
  /// This run's segment of the item ledger, opened at the first commit.
  lazy var itemWriter = ItemSegmentWriter(
    path: ItemLedger(layout: launcher.layout, pipeline: plan.pipeline.name)
      .segmentPath(run: launcher.run.text))

  struct RunningAttempt {
    var handle: AttemptHandle
    var executor: any Executor
    /// Submission while queued, then the start.
    var started: ContinuousClock.Instant
    var queued: Bool
    /// This attempt's log, relative to the root.
    var logFile: String
    var reports: TaskReportFollower
    var timers: [DispatchWorkItem] = []
    var timedOut = false
    var cancelled = false
    /// A `run_if: always` task running while the run ends early.
    var finally = false
    /// Why it was stopped, when not by the run's cancellation itself.
    var stopReason: String?
    /// This attempt's copy of the task's state (`state:`), if it keeps one.
    var stateCopy: String?
  }

  struct Cancellation {
    var reason: String
    var signal: Int32?
  }

  /// Earlier runs, newest first: the baselines for anomalies, asked for
  /// when the run ends.
  let history: () -> [RunDigest]
  /// Usual durations of tasks and their phases, for the live view's ETA;
  /// nil until read.
  let taskHistories: () -> [String: TaskHistory]?

  init(
    plan: Plan, record: RunRecord, launcher: TaskLauncher, events: EventLog, journal: RunJournal,
    metricsPath: String, reserve: ReservedSpace?, maxParallel: Int,
    history: @escaping () -> [RunDigest] = { [] },
    taskHistories: @escaping () -> [String: TaskHistory]? = { nil },
    cluster: (any Executor)? = nil,
    local: (any Executor)? = nil, timers: any SchedulerTimers = DispatchTimers()
  ) {
    self.plan = plan
    self.local = local ?? LocalExecutor(launcher: launcher, maxParallel: maxParallel)
    self.cluster = cluster
    self.timers = timers
    self.history = history
    self.taskHistories = taskHistories
    self.record = record
    self.launcher = launcher
    self.events = events
    self.journal = journal
    var dependents = Array(repeating: [Int](), count: plan.steps.count)
    for (index, step) in plan.steps.enumerated() {
      for dependency in step.dependencies { dependents[dependency].append(index) }
    }
    self.dependents = dependents
    unfinishedDependencies = plan.steps.map(\.dependencies.count)
    writer = MetricsWriter(
      path: metricsPath, queue: queue, reserve: reserve,
      snapshot: { [unowned self] in
        var record = self.record
        record.counts = TaskCounts(record.tasks)
        record.totals = CounterTotal.totals(of: record.tasks)
        return record
      },
      onError: { [events] error in events.log("warning: \(error); the last complete record is kept")
      })
  }

  /// Starts the run; `completion` gets the final record once every step has
  /// finished and no process of any task is left, with the reason it could
  /// not be written, if it could not.
  func start(completion: @escaping @Sendable (RunRecord, AtomicFile.WriteError?) -> Void) {
    queue.async { [self] in
      self.completion = completion
      runStart = .now
      if let timeout = plan.pipeline.timeout {
        let timer = DispatchWorkItem { [weak self] in
          self?.cancel(reason: "run timeout (\(DurationText.format(timeout))) reached", signal: nil)
        }
        runTimer = timer
        afterActiveTime(timeout, timer)
      }
      let decided = { (index: Int) in
        self.plan.steps[index].unwanted != nil || self.plan.steps[index].reused != nil
      }
      for index in plan.steps.indices where unfinishedDependencies[index] == 0 && !decided(index) {
        ready.insert(index)
      }
      // A rerun's tasks taken over from an earlier run are done already.
      for index in plan.steps.indices where plan.steps[index].reused != nil {
        settle(index)
      }
      // Tasks `when:` leaves out end at once (after the first ready ones are
      // queued, so that finishing them queues each dependent once); their
      // dependents go on as if they had completed: they were not wanted,
      // they did not fail.
      for (index, step) in plan.steps.enumerated() {
        guard let reason = step.unwanted else { continue }
        finish(index, as: .notWanted, reason: reason)
      }
      startFollowingReports()
      advance()
    }
  }

  // MARK: Scheduling

  /// Starts what may start, then ends the run if nothing is left.
  func advance() {
    // Steps whose executor is full wait for the next round.
    var full: [Int] = []
    defer { for index in full { ready.insert(index) } }
    // Nothing starts while the run is paused.
    while !pausedTime.isPaused, hasRoom, let index = ready.popMin() {
      let step = plan.steps[index]
      if !hasRoom(for: step) {
        full.append(index)
        continue
      }
      // Ending early, only `run_if: always` tasks still start.
      if record.tasks[index].status.isFinished || running[index] != nil { continue }
      if let cancellation, step.task.runIf != .always || finallyStopped {
        finish(index, as: .skipped, reason: cancellation.reason)
        continue
      }
      if step.task.runIf == .success,
        let blocker = step.dependencies.first(where: {
          !record.tasks[$0].status.isDone
        })
      {
        let dependency = record.tasks[blocker]
        finish(
          index, as: .skipped, reason: "dependency \(dependency.name) \(dependency.status.rawValue)"
        )
        continue
      }
      // Back-pressure is judged once, before the first attempt.
      if record.tasks[index].attempts.isEmpty, let reason = backpressureReason(step) {
        finish(index, as: .notWanted, reason: reason)
        continue
      }
      startAttempt(index)
    }
    journal.flush()
    writer.changed()
    if finishedSteps == plan.steps.count, running.isEmpty, lingeringGroups.isEmpty {
      if !escapeesSought {
        escapeesSought = true
        if stopEscapees() { return }
      }
      complete()
    }
  }

  /// Whether some executor can start another attempt.
  var hasRoom: Bool {
    hasRoom(in: local) || (cluster.map { hasRoom(in: $0) } ?? false)
  }

  func hasRoom(for step: Plan.Step) -> Bool {
    hasRoom(in: executor(for: step))
  }

  func hasRoom(in executor: any Executor) -> Bool {
    runningOn[ObjectIdentifier(executor), default: 0] < executor.capacity
  }

  func executor(for step: Plan.Step) -> any Executor {
    guard let cluster, step.task.executor != .local else { return local }
    return cluster
  }

  func startAttempt(_ index: Int) {
    let step = plan.steps[index]
    let number = record.tasks[index].attempts.count + 1
    let now = Date()
    var attempt = AttemptRecord(number: number, startedAt: now)
    if record.tasks[index].startedAt == nil {
      record.tasks[index].startedAt = now
      taskStarts[index] = .now
    }
    record.tasks[index].status = .running
    record.tasks[index].reason = nil

    let executor = executor(for: step)
    // What ended before this start goes to disk before a new process can
    // run: a kill -9 between the start and its journal line would lose it
    // with the line, and a task that completed would be settled as failed.
    journal.flush()
    var context = [
      "ORCHESTRATE_RUN_STATUS": runStatusSoFar,
      "ORCHESTRATE_FAILED_TASKS": notCompleted.joined(separator: ","),
    ]
    let launch: ExecutorLaunch
    var stateCopy: String?
    do throws(TaskLauncher.Failure) {
      do throws(StateError) {
        stateCopy = try prepareState(index, attempt: number)
      } catch {
        throw TaskLauncher.Failure(description: "state: \(error)")
      }
      if let stateCopy { context["ORCHESTRATE_STATE_DIR"] = stateCopy }
      launch = try executor.start(step, attempt: number, context: context)
    } catch {
      discardState(index, copy: stateCopy)
      // A program that cannot start will not start on a retry either.
      attempt.finishedAt = now
      attempt.durationSeconds = 0
      attempt.error = error.description
      record.tasks[index].attempts.append(attempt)
      finish(index, as: .failed, reason: error.description, error: error.description)
      return
    }
    let handle = launch.handle
    let what = executor.noteStart(of: launch, in: &attempt)
    runningOn[ObjectIdentifier(executor), default: 0] += 1
    attempt.logFile = launch.logFile
    record.tasks[index].logFile = launch.logFile
    // On disk before anything waits on it: if this process dies from here
    // on, the next run finds the task's process group or job.
    journal.write(
      handle.journalEntry(
        task: step.name, attempt: number, at: now, killGrace: step.task.killGrace))
    record.tasks[index].attempts.append(attempt)
    running[index] = RunningAttempt(
      handle: handle, executor: executor, started: .now, queued: launch.queued,
      logFile: launch.logFile, reports: launch.reports, finally: cancellation != nil,
      stateCopy: stateCopy)
    events.log(
      "\(step.name) \(launch.queued ? "submitted" : "started") "
        + "(attempt \(number) of \(step.task.retries + 1), \(what))")
    if !launch.queued { startTimeout(index, handle: handle) }
    // The executor runs the event through the queue synchronously, so the
    // next task is started on that same thread with no hand-off between
    // threads: in a sequence of short tasks, each hand-off costs more than
    // the work done in it.
    executor.watch(launch) { [self] event in
      queue.sync { self.handle(event, of: index, handle: handle) }
    }
  }

  /// A task's `timeout` counts from when it runs, not from its submission,
  /// and time the run spent paused does not count.
  func startTimeout(_ index: Int, handle: AttemptHandle) {
    guard let timeout = plan.steps[index].task.timeout else { return }
    let timer = DispatchWorkItem { [weak self] in self?.timedOut(index, handle: handle) }
    running[index]?.timers.append(timer)
    afterActiveTime(timeout, timer)
  }

  func handle(_ event: AttemptEvent, of index: Int, handle: AttemptHandle) {
    switch event {
    case .running(let node):
      guard let attempt = running[index], attempt.handle == handle, attempt.queued else { return }
      let queuedFor = (ContinuousClock.now - attempt.started).seconds
      running[index]?.queued = false
      running[index]?.started = .now
      attempt.executor.noteRunning(
        on: node, after: queuedFor,
        in: &record.tasks[index].attempts[record.tasks[index].attempts.count - 1])
      events.log(
        "\(plan.steps[index].name) running on \(node ?? "a node") after "
          + "\(DurationDisplay.short(queuedFor)) in the queue")
      startTimeout(index, handle: handle)
      writer.changed()
    case .ended(let end):
      events.batch { record(endOf: index, handle: handle, end: end) }
    }
  }

  func timedOut(_ index: Int, handle: AttemptHandle) {
    guard let attempt = running[index], attempt.handle == handle else { return }
    let task = plan.steps[index].task
    running[index]?.timedOut = true
    events.log(
      "\(plan.steps[index].name) timed out after \(DurationText.format(task.timeout ?? .zero)); "
        + "sending SIGTERM, SIGKILL in \(DurationText.format(task.killGrace))")
    stop(attempt, grace: task.killGrace, index: index)
  }

  /// SIGTERM to a running task (its process group, its job) now, SIGKILL after `grace`.
  func stop(_ attempt: RunningAttempt, grace: Duration, index: Int) {
    let (executor, handle) = (attempt.executor, attempt.handle)
    executor.signal(handle, SIGTERM)
    let kill = DispatchWorkItem { executor.signal(handle, SIGKILL) }
    running[index]?.timers.append(kill)
    timers.after(grace.seconds, on: queue, kill)
  }

  /// Records an attempt's end, then starts what may start.
  func record(endOf index: Int, handle: AttemptHandle, end: AttemptEnd) {
    guard let attempt = running.removeValue(forKey: index), attempt.handle == handle else { return }
    runningOn[ObjectIdentifier(attempt.executor), default: 1] -= 1
    for timer in attempt.timers { timer.cancel() }
    let number = close(attempt, of: index, end: end)
    if case .process(let pid, _) = handle {
      stopLeftovers(of: index, group: pid)
    }
    let verdict = AttemptVerdict(end, cancelled: attempt.cancelled, timedOut: attempt.timedOut)
    // A completed task's state is committed once what it left running in
    // its group is gone: nothing of the task writes to a committed version.
    if verdict.outcome == .completed, attempt.stateCopy != nil,
      case .process(let group, _) = handle, lingeringGroups.contains(group)
    {
      afterLeftovers[group] = { [self] in
        conclude(index, attempt: attempt, number: number, verdict: verdict)
      }
    } else {
      conclude(index, attempt: attempt, number: number, verdict: verdict)
    }
    advance()
  }

  /// The attempt's state committed or thrown away, then its retry, or the
  /// task's end.
  private func conclude(
    _ index: Int, attempt: RunningAttempt, number: Int, verdict: AttemptVerdict
  ) {
    let step = plan.steps[index]
    if verdict.outcome == .completed, let copy = attempt.stateCopy {
      if let problem = commitState(index, copy: copy) {
        finish(index, as: .failed, reason: problem, error: problem)
        return
      }
    } else {
      discardState(index, copy: attempt.stateCopy)
    }
    if let delay = RetryPolicy(step.task).delay(
      after: number, outcome: verdict.outcome, cancelled: cancellation != nil)
    {
      attempt.reports.finish(at: Date(), completed: false, error: nil)
      attempt.reports.store(in: &record.tasks[index])
      retry(index, after: delay, attempt: number, how: verdict.how)
    } else {
      var reason = verdict.reason(
        attempt: number, stopReason: attempt.stopReason, runEnding: cancellation?.reason,
        finallyAfter: attempt.finally ? cancellation?.reason : nil)
      let tail =
        verdict.outcome == .completed
        ? nil
        : OutputTail.read(
          path: launcher.layout.absolute(attempt.logFile), mask: plan.settings.mask)
      attempt.reports.finish(at: Date(), completed: verdict.outcome == .completed, error: tail)
      attempt.reports.store(in: &record.tasks[index])
      if let phase = record.tasks[index].phases?.failed {
        let ended = verdict.outcome == .cancelled ? "stopped" : "failed"
        reason = [reason, "\(ended) in phase \(phase.name)"].compactMap { $0 }
          .joined(separator: "; ")
      }
      finish(index, as: verdict.outcome, reason: reason, error: tail)
    }
  }

  /// Writes how the attempt ended into the task's record (with what it
  /// reported and its executor knows) and holds its journal line; returns
  /// the attempt's number.
  private func close(_ attempt: RunningAttempt, of index: Int, end: AttemptEnd) -> Int {
    attempt.reports.poll()
    attempt.reports.store(in: &record.tasks[index])
    SecretRanges.store(for: launcher.layout.absolute(attempt.logFile), mask: plan.settings.mask)
    let elapsed = end.durationSeconds ?? (ContinuousClock.now - attempt.started).seconds
    var entry = record.tasks[index].attempts.removeLast()
    entry.close(end, at: Date(), durationSeconds: elapsed, timedOut: attempt.timedOut)
    attempt.executor.noteEnd(end, in: &entry)
    record.tasks[index].attempts.append(entry)
    record.tasks[index].count(entry)
    if let status = end.status {
      journal.hold(
        .exited(
          task: plan.steps[index].name, attempt: entry.number, at: entry.finishedAt!,
          durationSeconds: elapsed, status: status, timedOut: attempt.timedOut, usage: end.usage))
    }
    commitItems(of: attempt, index: index, number: entry.number)
    return entry.number
  }

  /// The task waits `delay` for its next attempt (unless the run ends first).
  private func retry(_ index: Int, after delay: Double, attempt number: Int, how: String) {
    let waiting = "retrying in \(DurationDisplay.short(delay))"
    record.tasks[index].status = .pending
    record.tasks[index].reason = "attempt \(number) \(how); \(waiting)"
    events.log("\(plan.steps[index].name) \(how) (attempt \(number)); \(waiting)")
    let retry = DispatchWorkItem { [weak self] in
      guard let self, self.cancellation == nil else { return }
      self.retryTimers[index] = nil
      self.ready.insert(index)
      self.advance()
    }
    retryTimers[index] = retry
    timers.after(delay, on: queue, retry)
  }

  /// Counts a step whose record is final already as finished.
  func settle(_ index: Int) {
    finishedSteps += 1
    for dependent in dependents[index] {
      unfinishedDependencies[dependent] -= 1
      if unfinishedDependencies[dependent] == 0 { ready.insert(dependent) }
    }
  }

  func finish(_ index: Int, as status: TaskStatus, reason: String?, error: String? = nil) {
    var task = record.tasks[index]
    task.status = status
    task.reason = reason
    task.error = error
    // A task that never ran (skipped, cancelled while waiting) enters none.
    task.phases?.settleUnentered()
    if let started = task.startedAt {
      let end = Date()
      task.finishedAt = end
      task.durationSeconds =
        taskStarts[index].map { (ContinuousClock.now - $0).seconds }
        ?? end.timeIntervalSince(started)
    }
    record.tasks[index] = task
    if !status.isDone { notCompleted.append(task.name) }
    journal.hold(
      .finished(task: task.name, status: status, at: task.finishedAt ?? Date(), reason: reason))
    finishedSteps += 1
    switch status {
    case .completed:
      events.log("\(task.name) completed in \(DurationDisplay.short(task.durationSeconds ?? 0))")
    case .skipped where cancellation != nil:
      break  // cancel() reports these in one line
    default:
      events.log("\(task.name) \(status.rawValue)" + (reason.map { ": \($0)" } ?? ""))
    }
    for dependent in dependents[index] {
      unfinishedDependencies[dependent] -= 1
      // Dependencies that will never run count as finished for `run_if: always`.
      if unfinishedDependencies[dependent] == 0,
        cancellation == nil || plan.steps[dependent].task.runIf == .always
      {
        ready.insert(dependent)
      }
    }
  }

  func complete() {
    guard let completion else { return }
    // Every task ended while the run was paused: the pause ends with it.
    endPause()
    self.completion = nil
    runTimer?.cancel()
    finallyTimer?.cancel()
    reportTimer?.cancel()
    if events.isInteractive { events.showLive([]) }
    let counts = TaskCounts(record.tasks)
    record.counts = counts
    record.totals = CounterTotal.totals(of: record.tasks)
    let status = RunStatus(counts: counts, cancelledBySignal: cancellation?.signal != nil)
    record.status = status
    record.reason = cancellation?.reason
    record.exitCode =
      cancellation?.signal.map { 128 + $0 } ?? (status == .completed ? 0 : 1)
    let end = Date()
    record.finishedAt = end
    record.durationSeconds = (ContinuousClock.now - runStart).seconds
    let anomalies = AnomalyDetector.anomalies(
      in: record, history: history(), thresholds: plan.pipeline.anomalyThresholds)
    for anomaly in anomalies { events.log("anomaly: \(anomaly.sentence)") }
    record.anomalies = anomalies.isEmpty ? nil : anomalies
    record.orchestratorPeakRssBytes = PeakMemory.ofThisProcess()
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    record.orchestratorCpuSeconds =
      Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
      + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    journal.flush()
    completion(record, writer.writeFinal())
  }
}
