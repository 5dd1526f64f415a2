import Dispatch
import FoundationEssentials
import Glibc
import HeapModule

/// Runs the steps of a plan through their executors (local processes, at
/// most `maxParallel` at a time; Slurm jobs, at most the pipeline's
/// `max_jobs`), in file order among those whose dependencies are done. All state
/// lives on one serial queue; child exits, timers and signals arrive there
/// as events, so nothing is polled and nothing needs a lock.
final class Scheduler: @unchecked Sendable {
  let queue = DispatchQueue(label: "orchestrate.scheduler")
  private let plan: Plan
  private let launcher: TaskLauncher
  private let local: LocalExecutor
  private let slurm: SlurmExecutor?
  private let events: EventLog
  private let journal: RunJournal
  private let maxParallel: Int
  private(set) var record: RunRecord
  private var writer: MetricsWriter!

  private let dependents: [[Int]]
  private var unfinishedDependencies: [Int]
  /// Steps whose dependencies are done, smallest index (file order) first.
  private var ready = Heap<Int>()
  private var running: [Int: RunningAttempt] = [:]
  /// How many of `running` are Slurm jobs (limited by `max_jobs`, not `maxParallel`).
  private var runningJobs = 0
  private var retryTimers: [Int: DispatchWorkItem] = [:]
  /// Process groups whose leader exited while other members still ran.
  private var lingeringGroups = Set<pid_t>()
  private var finishedSteps = 0
  /// Finished tasks that did not complete, for ORCHESTRATE_FAILED_TASKS.
  private var notCompleted: [String] = []
  /// Ends the time `run_if: always` tasks have once the run ends early.
  private var finallyTimer: DispatchWorkItem?
  /// No more `run_if: always` task may start: a second signal, or their time ran out.
  private var finallyStopped = false
  /// Processes that left their task's group have been looked for.
  private var escapeesSought = false
  private var cancellation: Cancellation?
  private var runTimer: DispatchWorkItem?
  private var reportTimer: DispatchSourceTimer?
  private var runStart = ContinuousClock.now
  private var completion: (@Sendable (RunRecord, AtomicFile.WriteError?) -> Void)?

  private struct RunningAttempt {
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
  }

  private struct Cancellation {
    var reason: String
    var signal: Int32?
  }

  /// Earlier runs, newest first: the baselines for anomalies, asked for
  /// when the run ends.
  private let history: () -> [RunDigest]

  init(
    plan: Plan, record: RunRecord, launcher: TaskLauncher, events: EventLog, journal: RunJournal,
    metricsPath: String, reserve: ReservedSpace?, maxParallel: Int,
    history: @escaping () -> [RunDigest] = { [] }, slurm: SlurmExecutor? = nil
  ) {
    self.plan = plan
    self.local = LocalExecutor(launcher: launcher)
    self.slurm = slurm
    self.history = history
    self.record = record
    self.launcher = launcher
    self.events = events
    self.journal = journal
    self.maxParallel = maxParallel
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
        queue.asyncAfter(deadline: .now() + timeout.seconds, execute: timer)
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
        finish(index, as: .skipped, reason: reason)
      }
      startFollowingReports()
      advance()
    }
  }

  // MARK: Cancellation

  /// Stops the run: nothing new starts but `run_if: always` tasks, which
  /// still run once their dependencies have finished, within the pipeline's
  /// `finally_timeout`; other running tasks get SIGTERM and, after their
  /// grace, SIGKILL. A second signal stops the `run_if: always` tasks too;
  /// a second SIGINT kills everything at once.
  func cancel(reason: String, signal: Int32?) {
    dispatchPrecondition(condition: .onQueue(queue))
    if let current = cancellation {
      guard let signal else { return }
      let now = signal == SIGINT && current.signal == SIGINT
      stopFinally(reason: "received \(Self.signalName(signal)) while ending", immediately: now)
      return
    }
    cancellation = Cancellation(reason: reason, signal: signal)
    runTimer?.cancel()
    let waiting = plan.steps.indices.filter {
      !record.tasks[$0].status.isFinished && running[$0] == nil
    }
    let runningAlways = running.keys.filter { plan.steps[$0].task.runIf == .always }.count
    let always =
      runningAlways
      + waiting.filter {
        record.tasks[$0].attempts.isEmpty && plan.steps[$0].task.runIf == .always
      }.count
    let finallyTimeout = plan.pipeline.finallyTimeout
    events.log(
      "cancelling: \(reason); stopping \(running.count - runningAlways) running task(s)"
        + (always > 0
          ? "; \(always) run_if: always task(s) may run for up to "
            + DurationText.format(finallyTimeout) : ""))
    for (index, attempt) in running {
      guard plan.steps[index].task.runIf != .always else {
        running[index]?.finally = true
        continue
      }
      running[index]?.cancelled = true
      stop(attempt, grace: plan.steps[index].task.killGrace, index: index)
    }
    for index in waiting {
      retryTimers.removeValue(forKey: index)?.cancel()
      if let last = record.tasks[index].attempts.last {
        finish(index, as: last.timedOut ? .timedOut : .failed, reason: "no retry: \(reason)")
      } else if plan.steps[index].task.runIf != .always {
        finish(index, as: .skipped, reason: reason)
      }
    }
    let timer = DispatchWorkItem { [weak self] in
      self?.stopFinally(
        reason: "finally_timeout (\(DurationText.format(finallyTimeout))) reached",
        immediately: false)
    }
    finallyTimer = timer
    queue.asyncAfter(deadline: .now() + finallyTimeout.seconds, execute: timer)
    advance()
  }

  /// Ends the `run_if: always` tasks of a run that is ending: those still
  /// waiting are skipped, running ones get SIGTERM (SIGKILL at once when
  /// `immediately`), then SIGKILL after their grace.
  private func stopFinally(reason: String, immediately: Bool) {
    if immediately {
      events.log("\(reason): killing every task now")
      for attempt in running.values { attempt.executor.signal(attempt.handle, SIGKILL) }
      for group in lingeringGroups { ChildProcess.signalGroup(group, SIGKILL) }
    }
    guard !finallyStopped else { return }
    finallyStopped = true
    finallyTimer?.cancel()
    if !immediately { events.log("\(reason): stopping the run_if: always tasks") }
    for index in plan.steps.indices
    where !record.tasks[index].status.isFinished && running[index] == nil {
      finish(index, as: .skipped, reason: reason)
    }
    for (index, attempt) in running where !attempt.cancelled {
      running[index]?.cancelled = true
      running[index]?.stopReason = reason
      if !immediately {
        stop(attempt, grace: plan.steps[index].task.killGrace, index: index)
      }
    }
    advance()
  }

  /// What tasks are told of the run so far: `running`, `cancelled`
  /// (a signal) or `timed_out` (the run's timeout).
  private var runStatusSoFar: String {
    guard let cancellation else { return "running" }
    return cancellation.signal == nil ? "timed_out" : RunStatus.cancelled.rawValue
  }

  // MARK: Scheduling

  /// Starts what may start, then ends the run if nothing is left.
  private func advance() {
    // Steps whose executor is full wait for the next round.
    var full: [Int] = []
    defer { for index in full { ready.insert(index) } }
    while hasRoom, let index = ready.popMin() {
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
          record.tasks[$0].status != .completed && plan.steps[$0].unwanted == nil
        })
      {
        let dependency = record.tasks[blocker]
        finish(
          index, as: .skipped, reason: "dependency \(dependency.name) \(dependency.status.rawValue)"
        )
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
  private var hasRoom: Bool {
    running.count - runningJobs < maxParallel
      || (slurm.map { runningJobs < $0.maxJobs } ?? false)
  }

  private func hasRoom(for step: Plan.Step) -> Bool {
    guard let slurm, step.task.executor != .local else {
      return running.count - runningJobs < maxParallel
    }
    return runningJobs < slurm.maxJobs
  }

  private func executor(for step: Plan.Step) -> any Executor {
    guard let slurm, step.task.executor != .local else { return local }
    return slurm
  }

  private func startAttempt(_ index: Int) {
    let step = plan.steps[index]
    let number = record.tasks[index].attempts.count + 1
    let now = Date()
    var attempt = AttemptRecord(number: number, startedAt: now)
    if record.tasks[index].startedAt == nil { record.tasks[index].startedAt = now }
    record.tasks[index].status = .running
    record.tasks[index].reason = nil

    let executor = executor(for: step)
    let launch: ExecutorLaunch
    do {
      launch = try executor.start(
        step, attempt: number,
        context: [
          "ORCHESTRATE_RUN_STATUS": runStatusSoFar,
          "ORCHESTRATE_FAILED_TASKS": notCompleted.joined(separator: ","),
        ])
    } catch {
      // A program that cannot start will not start on a retry either.
      attempt.finishedAt = now
      attempt.durationSeconds = 0
      attempt.error = error.description
      record.tasks[index].attempts.append(attempt)
      finish(index, as: .failed, reason: error.description, error: error.description)
      return
    }
    let handle = launch.handle
    let what: String
    switch handle {
    case .process(let pid, let ticks):
      attempt.pid = pid
      attempt.processStartTicks = ticks
      what = "pid \(pid)"
    case .job(let id, _):
      attempt.slurmJobId = id
      attempt.slurmState = "PENDING"
      what = "Slurm job \(id)"
      runningJobs += 1
    }
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
      logFile: launch.logFile, reports: launch.reports, finally: cancellation != nil)
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

  /// A task's `timeout` counts from when it runs, not from its submission.
  private func startTimeout(_ index: Int, handle: AttemptHandle) {
    guard let timeout = plan.steps[index].task.timeout else { return }
    let timer = DispatchWorkItem { [weak self] in self?.timedOut(index, handle: handle) }
    running[index]?.timers.append(timer)
    queue.asyncAfter(deadline: .now() + timeout.seconds, execute: timer)
  }

  private func handle(_ event: AttemptEvent, of index: Int, handle: AttemptHandle) {
    switch event {
    case .running(let node):
      guard let attempt = running[index], attempt.handle == handle, attempt.queued else { return }
      let queuedFor = (ContinuousClock.now - attempt.started).seconds
      running[index]?.queued = false
      running[index]?.started = .now
      record.tasks[index].attempts[record.tasks[index].attempts.count - 1].record(
        runningOn: node, after: queuedFor)
      events.log(
        "\(plan.steps[index].name) running on \(node ?? "a node") after "
          + "\(Self.seconds(queuedFor)) in the queue")
      startTimeout(index, handle: handle)
      writer.changed()
    case .ended(let end):
      events.batch { record(endOf: index, handle: handle, end: end) }
    }
  }

  /// Four times a second: what running tasks reported, and the live lines
  /// on a terminal. A timer, not a watch per file: one wake-up serves all.
  private func startFollowingReports() {
    let timer = DispatchSource.makeTimerSource(queue: queue)
    timer.schedule(deadline: .now() + 0.25, repeating: 0.25, leeway: .milliseconds(50))
    timer.setEventHandler { [weak self] in self?.followReports() }
    timer.resume()
    reportTimer = timer
  }

  private func followReports() {
    var changed = false
    for (index, attempt) in running where attempt.reports.poll() {
      attempt.reports.store(in: &record.tasks[index])
      changed = true
    }
    if changed { writer.changed() }
    if events.isInteractive { events.showLive(liveLines()) }
  }

  /// One line per running task: name, elapsed time, percent, message.
  private func liveLines() -> [String] {
    running.sorted { $0.key < $1.key }.map { index, attempt in
      let progress = record.tasks[index].progress
      let elapsed = Self.seconds((ContinuousClock.now - attempt.started).seconds)
      var line = "  \(plan.steps[index].name)  \(attempt.queued ? "queued " : "")\(elapsed)"
      if let percent = progress?.percent { line += String(printf: "  %.0f%%", percent) }
      if let phase = progress?.phase { line += "  [\(phase)]" }
      if let message = progress?.message { line += "  \(message)" }
      return line
    }
  }

  private func timedOut(_ index: Int, handle: AttemptHandle) {
    guard let attempt = running[index], attempt.handle == handle else { return }
    let task = plan.steps[index].task
    running[index]?.timedOut = true
    events.log(
      "\(plan.steps[index].name) timed out after \(DurationText.format(task.timeout ?? .zero)); "
        + "sending SIGTERM, SIGKILL in \(DurationText.format(task.killGrace))")
    stop(attempt, grace: task.killGrace, index: index)
  }

  /// SIGTERM to a running task (its process group, its job) now, SIGKILL after `grace`.
  private func stop(_ attempt: RunningAttempt, grace: Duration, index: Int) {
    let (executor, handle) = (attempt.executor, attempt.handle)
    executor.signal(handle, SIGTERM)
    let kill = DispatchWorkItem { executor.signal(handle, SIGKILL) }
    running[index]?.timers.append(kill)
    queue.asyncAfter(deadline: .now() + grace.seconds, execute: kill)
  }

  /// Records an attempt's end, then starts what may start.
  private func record(endOf index: Int, handle: AttemptHandle, end: AttemptEnd) {
    guard let attempt = running.removeValue(forKey: index), attempt.handle == handle else { return }
    if case .job = handle { runningJobs -= 1 }
    let usage = end.usage
    for timer in attempt.timers { timer.cancel() }
    attempt.reports.poll()
    attempt.reports.finish(at: Date())
    attempt.reports.store(in: &record.tasks[index])
    let step = plan.steps[index]
    let elapsed = end.durationSeconds ?? (ContinuousClock.now - attempt.started).seconds
    var task = record.tasks[index]
    var entry = task.attempts.removeLast()
    entry.finishedAt = Date()
    entry.durationSeconds = elapsed
    entry.timedOut = attempt.timedOut
    entry.peakRssBytes = usage.peakRSSBytes
    entry.cpuUserSeconds = usage.userSeconds
    entry.cpuSystemSeconds = usage.systemSeconds
    switch end.status {
    case .exited(let code): entry.exitCode = code
    case .signaled(let signal): entry.signal = signal
    case nil: entry.error = end.reason
    }
    if case .job = handle { entry.record(jobEnd: end) }
    task.attempts.append(entry)
    if let status = end.status {
      journal.hold(
        .exited(
          task: step.name, attempt: entry.number, at: entry.finishedAt!,
          durationSeconds: elapsed, status: status, timedOut: attempt.timedOut, usage: usage))
    }
    task.exitCode = entry.exitCode
    task.signal = entry.signal
    task.peakRssBytes = max(task.peakRssBytes ?? 0, usage.peakRSSBytes)
    task.cpuUserSeconds = (task.cpuUserSeconds ?? 0) + usage.userSeconds
    task.cpuSystemSeconds = (task.cpuSystemSeconds ?? 0) + usage.systemSeconds
    record.tasks[index] = task

    var leftovers = 0
    if case .process(let pid, _) = handle {
      leftovers = stopLeftovers(of: pid, grace: step.task.killGrace)
    }
    if case .process(let pid, _) = handle, leftovers > 0 {
      journal.write(
        .leftovers(
          task: step.name, group: pid, count: leftovers, at: Date(),
          killGrace: step.task.killGrace))
      record.tasks[index].leftoverProcesses = (task.leftoverProcesses ?? 0) + leftovers
      events.log("\(step.name) left \(leftovers) process(es) running; stopping them")
    }

    let outcome: TaskStatus =
      attempt.cancelled
      ? .cancelled
      : attempt.timedOut
        ? .timedOut
        : end.status == .exited(0) ? .completed : .failed
    let how =
      end.status.map { Self.describe($0, timedOut: attempt.timedOut) }
      ?? end.reason ?? "ended without a result"
    if outcome == .failed || outcome == .timedOut, entry.number <= step.task.retries,
      cancellation == nil
    {
      let delay =
        step.task.retryDelay.seconds * pow(step.task.retryBackoff, Double(entry.number - 1))
      record.tasks[index].status = .pending
      record.tasks[index].reason =
        "attempt \(entry.number) \(how); retrying in \(Self.seconds(delay))"
      events.log(
        "\(step.name) \(how) (attempt \(entry.number)); retrying in \(Self.seconds(delay))")
      let retry = DispatchWorkItem { [weak self] in
        guard let self, self.cancellation == nil else { return }
        self.retryTimers[index] = nil
        self.ready.insert(index)
        self.advance()
      }
      retryTimers[index] = retry
      queue.asyncAfter(deadline: .now() + delay, execute: retry)
    } else {
      var reason: String? =
        switch outcome {
        case .completed: nil
        case .cancelled: attempt.stopReason ?? cancellation?.reason
        default: entry.number > 1 ? "\(how) after \(entry.number) attempts" : how
        }
      if attempt.finally, let cancellation {
        let why = "ran after \(cancellation.reason) because run_if: always"
        reason = reason.map { "\($0); \(why)" } ?? why
      }
      let tail =
        outcome == .completed
        ? nil
        : OutputTail.read(path: launcher.layout.absolute(attempt.logFile)).map(
          plan.settings.mask.apply)
      finish(index, as: outcome, reason: reason, error: tail)
    }
    advance()
  }

  /// Sends the rest of a finished task's process group SIGTERM, then SIGKILL
  /// after `grace`; returns how many processes were left.
  private func stopLeftovers(of group: pid_t, grace: Duration) -> Int {
    guard ChildProcess.groupExists(group) else { return 0 }
    let members = ChildProcess.members(ofGroup: group).count
    guard members > 0 else { return 0 }
    lingeringGroups.insert(group)
    ChildProcess.signalGroup(group, SIGTERM)
    watchLingering(group, killAt: .now + grace)
    return members
  }

  /// Their leader is gone, so no wait4 reports these processes' end.
  private func watchLingering(_ group: pid_t, killAt: ContinuousClock.Instant) {
    watchUntilGone(
      isGone: { ChildProcess.members(ofGroup: group).isEmpty },
      kill: { ChildProcess.signalGroup(group, SIGKILL) }, killAt: killAt,
      then: { [self] in
        lingeringGroups.remove(group)
        advance()
      })
  }

  /// Once every task has ended: processes that carry the run's id but left
  /// their task's process group (`setsid`, a double fork) get SIGTERM, then
  /// SIGKILL after the longest grace. True when some are being stopped.
  private func stopEscapees() -> Bool {
    let escaped = ProcessTable.carrying(runId: record.runId, since: record.processStartTicks)
    guard !escaped.isEmpty else { return false }
    record.escapedProcesses = escaped.count
    events.log(
      "\(escaped.count) process(es) started by tasks left their task's process group "
        + "and are still running; stopping them")
    for process in escaped { kill(process.pid, SIGTERM) }
    let grace = plan.steps.map(\.task.killGrace).max() ?? .seconds(10)
    let alive: @Sendable () -> [LiveProcess] = {
      escaped.filter { ProcessTable.entry(of: $0.pid) == $0 }
    }
    watchUntilGone(
      isGone: { alive().isEmpty }, kill: { for process in alive() { kill(process.pid, SIGKILL) } },
      killAt: .now + grace, then: { [self] in advance() })
    return true
  }

  /// Looks every 50 ms until `isGone`, calling `kill` from `killAt` on.
  private func watchUntilGone(
    isGone: @escaping @Sendable () -> Bool, kill: @escaping @Sendable () -> Void,
    killAt: ContinuousClock.Instant, then done: @escaping @Sendable () -> Void
  ) {
    queue.asyncAfter(deadline: .now() + 0.05) { [self] in
      if isGone() { return done() }
      if ContinuousClock.now >= killAt { kill() }
      watchUntilGone(isGone: isGone, kill: kill, killAt: killAt, then: done)
    }
  }

  /// Counts a step whose record is final already as finished.
  private func settle(_ index: Int) {
    finishedSteps += 1
    for dependent in dependents[index] {
      unfinishedDependencies[dependent] -= 1
      if unfinishedDependencies[dependent] == 0 { ready.insert(dependent) }
    }
  }

  private func finish(_ index: Int, as status: TaskStatus, reason: String?, error: String? = nil) {
    var task = record.tasks[index]
    task.status = status
    task.reason = reason
    task.error = error
    if let started = task.startedAt {
      let end = Date()
      task.finishedAt = end
      task.durationSeconds = end.timeIntervalSince(started)
    }
    record.tasks[index] = task
    if status != .completed && plan.steps[index].unwanted == nil {
      notCompleted.append(task.name)
    }
    journal.hold(
      .finished(task: task.name, status: status, at: task.finishedAt ?? Date(), reason: reason))
    finishedSteps += 1
    switch status {
    case .completed:
      events.log("\(task.name) completed in \(Self.seconds(task.durationSeconds ?? 0))")
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

  private func complete() {
    guard let completion else { return }
    self.completion = nil
    runTimer?.cancel()
    finallyTimer?.cancel()
    reportTimer?.cancel()
    if events.isInteractive { events.showLive([]) }
    let counts = TaskCounts(record.tasks)
    record.counts = counts
    // Tasks `when:` left out were not wanted: they count as done.
    var judged = counts
    let unwanted = plan.steps.filter { $0.unwanted != nil }.count
    judged.completed += unwanted
    judged.skipped -= unwanted
    let status = RunStatus(counts: judged, cancelledBySignal: cancellation?.signal != nil)
    record.status = status
    record.reason = cancellation?.reason
    record.exitCode =
      cancellation?.signal.map { 128 + $0 } ?? (status == .completed ? 0 : 1)
    let end = Date()
    record.finishedAt = end
    record.durationSeconds = (ContinuousClock.now - runStart).seconds
    let anomalies = AnomalyDetector.anomalies(
      in: record, history: history(), thresholds: plan.pipeline.anomalyThresholds)
    for anomaly in anomalies { events.log("anomaly: \(RunSummary.describe(anomaly))") }
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

  private static func describe(_ status: TerminationStatus, timedOut: Bool) -> String {
    let end: String
    switch status {
    case .exited(let code): end = "exit \(code)"
    case .signaled(let signal): end = "killed by \(signalName(signal))"
    }
    return timedOut ? "timed out (\(end))" : end
  }

  static func signalName(_ signal: Int32) -> String {
    let names: [Int32: String] = [
      SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGABRT: "SIGABRT",
      SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGSEGV: "SIGSEGV",
      SIGPIPE: "SIGPIPE",
      SIGALRM: "SIGALRM", SIGTERM: "SIGTERM", SIGUSR1: "SIGUSR1", SIGUSR2: "SIGUSR2",
    ]
    return names[signal] ?? "signal \(signal)"
  }

  /// `0.07s`, `9.50s`, then whole units (`12s`, `1m5s`). Printed for every
  /// task, so by integer maths rather than through `String(format:)`.
  static func seconds(_ value: Double) -> String {
    guard value < 10 else { return DurationText.format(.seconds(value.rounded())) }
    let hundredths = Int((max(value, 0) * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)s"
  }
}
