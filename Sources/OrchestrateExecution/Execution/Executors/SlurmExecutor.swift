import Dispatch
import FoundationEssentials
import Glibc

/// Runs attempts as Slurm batch jobs. `sbatch --parsable` submits a job
/// script that runs the task through `orchestrate task-wrapper`, which
/// writes the task's exit, times and resources next to its log (the root
/// must be on a file system the nodes share); Slurm writes the task's
/// output to the attempt's log. All of a run's jobs are followed with one
/// `squeue` call per interval: 0.5 s after a change, doubling to 30 s while
/// nothing changes, never two at once. While `squeue` fails, the results
/// the wrappers wrote still end their jobs.
final class SlurmExecutor: Executor, @unchecked Sendable {
  let maxJobs: Int
  var capacity: Int { maxJobs }
  private let launcher: TaskLauncher
  private let settings: SlurmPipelineSettings
  private let client: SlurmClient
  private let orchestrate: String
  private let queue = DispatchQueue(label: "orchestrate.slurm")

  // On `queue`:
  private var jobs: [String: TrackedJob] = [:]
  private var interval = SlurmExecutor.fastestPoll
  private var pollScheduled = false
  private var signals: [Int32: [String]] = [:]

  static let fastestPoll = 0.5
  static let slowestPoll = 30.0
  /// While `squeue` fails, results are still looked for this often.
  static let slowestPollWithoutSlurm = 5.0
  /// After our own `scancel`, how long Slurm has to say the job ended.
  static let cancelConfirmation = 30.0

  fileprivate struct TrackedJob {
    var task: String
    var resultPath: String
    var submitted: Date
    var events: @Sendable (AttemptEvent) -> Void
    var state = "PENDING"
    var node: String?
    var seenRunning = false
    /// When it was first seen out of the queue with no result yet.
    var leftQueue: Date?
    /// When we asked Slurm to end it.
    var cancelRequested: Date?
    /// Held in its queue by a pause of the run.
    var held = false
  }

  init(
    launcher: TaskLauncher, settings: SlurmPipelineSettings, client: SlurmClient,
    orchestrate: String
  ) {
    self.launcher = launcher
    self.settings = settings
    self.client = client
    self.orchestrate = orchestrate
    maxJobs = settings.maxJobs
  }

  /// The executor for a plan's Slurm tasks; nil when it has none.
  static func forSlurmTasks(of plan: Plan, launcher: TaskLauncher) -> SlurmExecutor? {
    guard plan.steps.contains(where: { $0.task.executor != .local }) else { return nil }
    return SlurmExecutor(
      launcher: launcher, settings: plan.pipeline.slurm,
      client: SlurmClient(searchPath: launcher.searchPath, environment: launcher.sharedEnvironment),
      orchestrate: plan.pipeline.slurm.orchestratePath ?? Self.runningBinary())
  }

  /// This program's absolute path, as the nodes of a shared file system see it.
  static func runningBinary() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? CommandLine.arguments[0]
  }

  func submission(
    for step: Plan.Step, attempt: Int, setup: TaskLauncher.Setup
  ) -> (SlurmSubmission, resultPath: String, scriptPath: String) {
    guard case .slurm(let resources) = step.task.executor else { fatalError("not a Slurm task") }
    let base = "\(launcher.logDirectory)/\(step.name).\(attempt)"
    let submission = SlurmSubmission(
      pipeline: launcher.pipeline, run: launcher.run.text, step: step, resources: resources,
      directory: setup.directory, logPath: launcher.layout.absolute(setup.logFile),
      resultPath: "\(base).result", scriptPath: "\(base).sbatch", orchestrate: orchestrate,
      command: setup.arguments)
    return (submission, "\(base).result", "\(base).sbatch")
  }

  func start(_ step: Plan.Step, attempt: Int, context: [String: String]) throws(TaskLauncher
    .Failure) -> ExecutorLaunch
  {
    let setup = try launcher.prepare(step, attempt: attempt, context: context)
    close(setup.logDescriptor)
    let (submission, resultPath, scriptPath) = self.submission(
      for: step, attempt: attempt, setup: setup)
    unlink(resultPath)
    guard FileManager.default.createFile(atPath: scriptPath, contents: Data(submission.script.utf8))
    else {
      throw TaskLauncher.Failure(description: "cannot write the job script \(scriptPath)")
    }
    let environment = ProcessEnvironment(
      shared: launcher.sharedEnvironment, overrides: setup.overrides)
    let id: String
    do {
      id = try client.submit(submission.arguments, environment: environment)
    } catch {
      let partition = submission.partition.map { " in partition '\($0)'" } ?? ""
      throw TaskLauncher.Failure(
        description: "cannot submit the job\(partition): \(error.description)")
    }
    let job = TrackedJob(
      task: step.name, resultPath: resultPath, submitted: Date(), events: { _ in })
    queue.async { self.jobs[id] = job }
    return ExecutorLaunch(
      handle: .job(id: id, name: submission.jobName), logFile: setup.logFile,
      reports: setup.reports, queued: true)
  }

  func watch(_ launch: ExecutorLaunch, events: @escaping @Sendable (AttemptEvent) -> Void) {
    guard case .job(let id, _) = launch.handle else { return }
    queue.async { [self] in
      jobs[id]?.events = events
      interval = Self.fastestPoll
      schedulePoll()
    }
  }

  /// SIGTERM: the task's process group gets it from the wrapper (a job
  /// still queued is cancelled). SIGKILL: the wrapper kills the group at
  /// once and reports it; Slurm then ends the job. Requests made together
  /// go out in one `scancel` per kind.
  func signal(_ handle: AttemptHandle, _ signal: Int32) {
    guard case .job(let id, _) = handle else { return }
    queue.async { [self] in
      let first = signals.isEmpty
      signals[signal, default: []].append(id)
      if first { queue.asyncAfter(deadline: .now() + 0.02) { self.sendSignals() } }
    }
  }

  private func sendSignals() {
    let requests = signals
    signals = [:]
    var cancel: [String] = []
    for (signal, ids) in requests.sorted(by: { $0.key < $1.key }) {
      var running: [String] = []
      for id in ids {
        guard let job = jobs[id] else { continue }
        if job.seenRunning || job.state != "PENDING" {
          running.append(id)
        } else {
          cancel.append(id)
        }
      }
      // Asked now, however long scancel takes to reach Slurm.
      for id in ids where signal == SIGKILL || !running.contains(id) {
        if jobs[id]?.cancelRequested == nil { jobs[id]?.cancelRequested = Date() }
      }
      // The wrapper sends the task's group SIGTERM on USR2 and SIGKILL on
      // USR1, then reports. (SIGTERM through scancel would have Slurm
      // write a line of its own into the task's log.)
      if !running.isEmpty {
        client.scancel(running, signal: signal == SIGKILL ? "USR1" : "USR2")
      }
    }
    if !cancel.isEmpty { client.scancel(cancel, signal: nil) }
    interval = Self.fastestPoll
  }

  /// While Slurm does not answer: jobs whose result is written have ended;
  /// jobs we asked to stop (a timeout, a signal) count as ended once Slurm
  /// has had `cancelConfirmation` to end them, so that nothing waits for
  /// slurmctld to come back.
  private func endJobsWithResults() {
    let now = Date()
    for (id, job) in jobs {
      if let result = TaskResultFile.read(path: job.resultPath) {
        jobs[id] = nil
        job.events(.ended(end(of: job, result: result)))
      } else if let asked = job.cancelRequested,
        now.timeIntervalSince(asked) > Self.cancelConfirmation
      {
        jobs[id] = nil
        job.events(
          .ended(end(of: id, job, reason: "Slurm did not answer to confirm the job ended")))
      }
    }
  }

  private func schedulePoll() {
    guard !pollScheduled, !jobs.isEmpty else { return }
    pollScheduled = true
    queue.asyncAfter(deadline: .now() + interval) { [self] in
      pollScheduled = false
      poll()
      schedulePoll()
    }
  }

  private func poll() {
    let ids = jobs.keys.sorted()
    guard !ids.isEmpty else { return }
    guard let states = client.states(of: ids) else {
      // Slurm does not answer (slurmctld down or unreachable): a job whose
      // wrapper wrote its result has ended, whatever squeue would say.
      endJobsWithResults()
      interval = min(interval * 2, Self.slowestPollWithoutSlurm)
      return
    }
    var changed = false
    let now = Date()
    for id in ids {
      guard var job = jobs[id] else { continue }
      let seen = states[id]
      if let seen, seen.state != job.state {
        job.state = seen.state
        changed = true
      }
      if let node = seen?.node { job.node = node }
      let inQueue = seen.map { SlurmClient.activeStates.contains($0.state) } ?? false
      if inQueue {
        if !job.seenRunning, seen?.state != "PENDING" {
          job.seenRunning = true
          jobs[id] = job
          job.events(.running(node: job.node))
        }
        if let asked = job.cancelRequested, now.timeIntervalSince(asked) > Self.cancelConfirmation {
          jobs[id] = nil
          job.events(.ended(end(of: id, job, reason: "Slurm did not confirm the job ended")))
          continue
        }
        jobs[id] = job
        continue
      }
      if let result = TaskResultFile.read(path: job.resultPath) {
        jobs[id] = nil
        changed = true
        job.events(.ended(end(of: job, result: result)))
        continue
      }
      // Without a result: a job that never ran (cancelled while queued, a
      // launch failure) is done; one that ran gets the result grace, as the
      // nodes' writes may be slow to show here.
      let leftAt = job.leftQueue ?? now
      job.leftQueue = leftAt
      let grace =
        job.cancelRequested != nil
        ? min(settings.resultGrace.seconds, 2) : settings.resultGrace.seconds
      let ran = job.seenRunning || job.state == "COMPLETED" || seen == nil
      if !ran || now.timeIntervalSince(leftAt) >= grace {
        jobs[id] = nil
        changed = true
        let why = seen.map { "\($0.state)\($0.reason == "None" ? "" : " (\($0.reason))")" }
        job.events(
          .ended(
            end(
              of: id, job,
              reason: "Slurm job \(id) ended \(why ?? "unseen") without a result")))
        continue
      }
      jobs[id] = job
    }
    interval = changed ? Self.fastestPoll : min(interval * 2, Self.slowestPoll)
  }

  /// One `scontrol` call for a pause or a resume of job `id`, on this
  /// executor's queue: `choose` picks the verb from what is known of the
  /// job, the word for a problem, and whether the job is held afterwards.
  fileprivate func control(
    _ id: String, problem: @escaping @Sendable (String) -> Void,
    choose: @escaping @Sendable (TrackedJob) -> (verb: String, done: String, held: Bool)
  ) {
    queue.async { [self] in
      guard let job = jobs[id] else { return }
      let (verb, done, held) = choose(job)
      if let failure = client.control(verb, job: id) {
        problem("Slurm job \(id) could not be \(done): \(failure)")
      } else {
        jobs[id]?.held = held
      }
    }
  }

  private func end(of job: TrackedJob, result: TaskResultFile) -> AttemptEnd {
    AttemptEnd(
      status: result.status, usage: result.usage, reason: result.error,
      durationSeconds: result.finishedAt.timeIntervalSince(result.startedAt), node: result.node,
      queuedSeconds: max(0, result.startedAt.timeIntervalSince(job.submitted)),
      queueState: job.state)
  }

  private func end(of id: String, _ job: TrackedJob, reason: String) -> AttemptEnd {
    AttemptEnd(
      status: nil, usage: ResourceUsage(peakRSSBytes: 0, userSeconds: 0, systemSeconds: 0),
      reason: reason, node: job.node, queueState: job.state)
  }
}

/// Pausing: a job that runs is suspended (`scontrol suspend`: Slurm stops
/// its processes on the node), one still queued is held (`scontrol hold`),
/// so that it does not start while the run is paused; resuming undoes
/// whichever was done. Slurm may allow suspending only to its operators.
extension SlurmExecutor {
  func suspend(_ handle: AttemptHandle, problem: @escaping @Sendable (String) -> Void) {
    guard case .job(let id, _) = handle else { return }
    control(id, problem: problem) { job in
      let running = job.seenRunning || job.state != "PENDING"
      return running ? ("suspend", "suspended", false) : ("hold", "held", true)
    }
  }

  func resume(_ handle: AttemptHandle, problem: @escaping @Sendable (String) -> Void) {
    guard case .job(let id, _) = handle else { return }
    control(id, problem: problem) { job in
      job.held ? ("release", "released", false) : ("resume", "resumed", false)
    }
  }
}

/// The attempt's queue fields: the job id, and its state as Slurm last said it.
extension SlurmExecutor {
  func noteStart(of launch: ExecutorLaunch, in attempt: inout AttemptRecord) -> String {
    guard case .job(let id, _) = launch.handle else { return "" }
    attempt.noteSubmitted(to: "slurm", job: id, state: "PENDING")
    return "Slurm job \(id)"
  }

  func noteRunning(on node: String?, after queued: Double, in attempt: inout AttemptRecord) {
    attempt.node = node
    attempt.queuedSeconds = queued
    attempt.jobState = "RUNNING"
  }

  func noteEnd(_ end: AttemptEnd, in attempt: inout AttemptRecord) {
    attempt.node = end.node ?? attempt.node
    attempt.queuedSeconds = end.queuedSeconds ?? attempt.queuedSeconds
    attempt.jobState = end.queueState ?? attempt.jobState
  }
}
