import FoundationEssentials
import Glibc

/// A place where a task's attempts run: this machine, or a Slurm cluster.
/// The scheduler starts, watches and signals attempts through this protocol
/// only, so it never deals with process groups or job ids itself; what an
/// executor knows of an attempt (a pid, a job id and its queue state) it
/// writes into the attempt's record itself. docs/internals.md says what a
/// new executor implements.
protocol Executor: AnyObject, Sendable {
  /// How many of its attempts may run at once (`max_parallel` on this
  /// machine, `slurm.max_jobs` for a cluster): the scheduler starts no more.
  var capacity: Int { get }

  /// Starts one attempt of `step`, or says why it cannot start (not retried).
  /// `context`: variables that tell the task how the run is going.
  func start(_ step: Plan.Step, attempt: Int, context: [String: String]) throws(TaskLauncher
    .Failure) -> ExecutorLaunch

  /// Reports what becomes of a started attempt. Called once its handle is
  /// in the journal; `events` is called from another thread, never from
  /// within this call, and `.ended` exactly once.
  func watch(_ launch: ExecutorLaunch, events: @escaping @Sendable (AttemptEvent) -> Void)

  /// Asks what runs the attempt to stop: SIGTERM lets the task end itself,
  /// SIGKILL ends it now.
  func signal(_ handle: AttemptHandle, _ signal: Int32)

  /// Why this executor cannot pause its attempts; nil when it can. A run
  /// is paused whole or not at all: the scheduler asks before it stops any.
  var pauseRefusal: String? { get }

  /// Stops a started attempt where it is (a process group sent SIGSTOP, a
  /// job suspended or held in its queue) until `resume`. `problem` is told,
  /// from any thread, why it could not, if it could not: an executor that
  /// asks a queue does so on its own thread, never holding the scheduler's.
  func suspend(_ handle: AttemptHandle, problem: @escaping @Sendable (String) -> Void)

  /// Lets a suspended attempt go on.
  func resume(_ handle: AttemptHandle, problem: @escaping @Sendable (String) -> Void)

  /// Writes what identifies a started attempt into its record (a pid, a job
  /// id); returns how the run's log names it ("pid 4121", "Slurm job 77").
  func noteStart(of launch: ExecutorLaunch, in attempt: inout AttemptRecord) -> String

  /// A queued attempt began to run on `node` after `queued` seconds.
  func noteRunning(on node: String?, after queued: Double, in attempt: inout AttemptRecord)

  /// Writes what the executor learnt of the attempt's end (a node, the
  /// queue's last state) into its record.
  func noteEnd(_ end: AttemptEnd, in attempt: inout AttemptRecord)
}

extension Executor {
  var pauseRefusal: String? { nil }

  func noteRunning(on node: String?, after queued: Double, in attempt: inout AttemptRecord) {
    attempt.node = node
    attempt.queuedSeconds = queued
  }

  func noteEnd(_ end: AttemptEnd, in attempt: inout AttemptRecord) {}
}

/// What runs one attempt, as the journal and the record name it.
enum AttemptHandle: Hashable, Sendable {
  /// A local process leading its own group, with its kernel start time.
  case process(pid_t, startTicks: UInt64?)
  /// A Slurm job, named `orchestrate:<pipeline>:<run_id>:<task>`.
  case job(id: String, name: String)

  /// A job's name in its queue: it holds the run id, so a job is never
  /// taken for another run's.
  static func jobName(pipeline: String, run: String, task: String) -> String {
    "orchestrate:\(pipeline):\(run):\(task)"
  }

  /// The journal line that must be on disk before anything waits on it.
  func journalEntry(task: String, attempt: Int, at date: Date, killGrace: Duration)
    -> JournalEntry
  {
    switch self {
    case .process(let pid, let ticks):
      .started(
        task: task, attempt: attempt, pid: pid, startTicks: ticks, at: date, killGrace: killGrace)
    case .job(let id, let name):
      .submitted(task: task, attempt: attempt, jobId: id, jobName: name, at: date)
    }
  }
}

/// A started attempt.
struct ExecutorLaunch {
  var handle: AttemptHandle
  /// This attempt's log, relative to the root.
  var logFile: String
  /// Follows what the task reports through $ORCHESTRATE_PROGRESS and $ORCHESTRATE_METRICS.
  var reports: TaskReportFollower
  /// Waiting for a place to run (a Slurm job in the queue): its timeout
  /// starts once `.running` is reported.
  var queued: Bool
}

enum AttemptEvent: Sendable {
  /// A queued attempt started running.
  case running(node: String?)
  case ended(AttemptEnd)
}

/// How an attempt ended.
struct AttemptEnd: Sendable {
  /// nil when it ended without saying how (a job that left the queue
  /// without a result); `reason` then says what is known.
  var status: TerminationStatus?
  var usage: ResourceUsage
  var reason: String? = nil
  /// Measured where it ran; nil: the scheduler's own clock decides.
  var durationSeconds: Double? = nil
  var node: String? = nil
  var queuedSeconds: Double? = nil
  /// The queue's last word on it (Slurm's job state).
  var queueState: String? = nil
}
