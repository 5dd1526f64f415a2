import FoundationEssentials
import Glibc

/// `orchestrate pause` and `orchestrate resume`: the running run they name,
/// and the signal that asks its orchestrator to pause (SIGTSTP) or resume
/// (SIGCONT). The orchestrator does the work; this only finds it, proves it
/// is the process that wrote the record (its pid with the kernel start time
/// the record holds: pids are reused), and waits until the record says the
/// run paused or resumed.
public enum RunControl {
  public enum Action: Sendable {
    case pause, resume

    var signal: Int32 { self == .pause ? SIGTSTP : SIGCONT }
    var done: String { self == .pause ? "paused" : "resumed" }
  }

  public struct Failure: Error, CustomStringConvertible, Equatable {
    public var description: String
    /// 2 when no such run can be named (a usage error); 1 when the run
    /// cannot be paused or resumed.
    public var exitCode: Int32
  }

  /// Asks the orchestrator of run `runId` (or of the newest run of
  /// `pipeline`) to pause or resume, and returns its record once it says
  /// so, within `wait`.
  public static func request(
    _ action: Action, runId: String?, newestOf pipeline: String?, layout: RootLayout,
    wait: Duration = .seconds(10)
  ) throws(Failure) -> RunRecord {
    let (record, path) = try find(runId: runId, newestOf: pipeline, layout: layout)
    try check(record, path: path, for: action)
    if kill(record.pid, action.signal) != 0 {
      throw errno == EPERM
        ? notAllowed(record)
        : Failure(
          description: "run \(record.runId) is not running: its orchestrator is gone", exitCode: 1)
    }
    let deadline = ContinuousClock.now + wait
    while ContinuousClock.now < deadline {
      usleep(50_000)
      guard let now = RecordCoding.readRecord(at: path) else { continue }
      // Resumed, a run may end at once: its final record has no pause.
      if action == .resume, now.pausedSince == nil { return now }
      if now.status != .running {
        throw Failure(
          description:
            "run \(record.runId) ended (\(now.status.rawValue)) before it \(action.done)",
          exitCode: 1)
      }
      if (now.pausedSince != nil) == (action == .pause) { return now }
    }
    let log = RunID(record.runId).map {
      "\(layout.runLogDirectory(pipeline: record.pipeline, run: $0))/orchestrate.log"
    }
    throw Failure(
      description: "run \(record.runId) did not say it \(action.done) within "
        + "\(DurationText.format(wait))" + (log.map { "; its log says why: \($0)" } ?? ""),
      exitCode: 1)
  }

  /// The record of the run named, and its path.
  static func find(runId: String?, newestOf pipeline: String?, layout: RootLayout)
    throws(Failure) -> (RunRecord, String)
  {
    if let runId {
      guard RunID(runId) != nil else {
        throw Failure(
          description: "'\(runId)' is not a run id (run_YYYYMMDD_HHMMSS_PID)", exitCode: 2)
      }
      for name in layout.pipelinesWithRecords() {
        let path = "\(layout.metricsDirectory(pipeline: name))/\(runId).json"
        guard access(path, F_OK) == 0 else { continue }
        guard let record = RecordCoding.readRecord(at: path) else {
          throw Failure(description: "cannot read the record \(path)", exitCode: 1)
        }
        return (record, path)
      }
      throw Failure(description: "no run '\(runId)' in \(layout.metricsDirectory)", exitCode: 2)
    }
    let name = pipeline ?? ""
    let directory = layout.metricsDirectory(pipeline: name)
    guard layout.pipelinesWithRecords().contains(name) else {
      throw Failure(
        description: "no runs of pipeline '\(name)' in \(layout.metricsDirectory)", exitCode: 2)
    }
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
      .filter { $0.hasSuffix(".json") }
      .compactMap { RunID(String($0.dropLast(5))) }.sorted()
    // The newest run still running; else the newest, to say how it ended
    // (a run refused while an older one runs is newer than that one).
    var newest: (RunRecord, String)?
    for run in names.reversed() {
      let path = "\(directory)/\(run.text).json"
      guard let record = RecordCoding.readRecord(at: path) else { continue }
      if record.status == .running { return (record, path) }
      newest = newest ?? (record, path)
    }
    if let newest { return newest }
    throw Failure(
      description: "no runs of pipeline '\(name)' in \(layout.metricsDirectory)", exitCode: 2)
  }

  /// Why the run cannot be paused or resumed now, if it cannot.
  static func check(_ record: RunRecord, path: String, for action: Action) throws(Failure) {
    let run = "run \(record.runId)"
    guard record.status == .running else {
      throw Failure(
        description: "\(run) is not running (it ended \(record.status.rawValue))", exitCode: 1)
    }
    switch ProcessIdentity(of: record).liveness() {
    case .gone:
      throw Failure(
        description: "\(run) is not running: its orchestrator (pid \(record.pid)) is gone; "
          + "the next run of \(record.pipeline) settles it", exitCode: 1)
    case .unknown:
      throw Failure(
        description: "\(run) runs on \(record.host): \(action == .pause ? "pause" : "resume") "
          + "it there", exitCode: 1)
    case .alive: break
    }
    var info = stat()
    if geteuid() != 0, stat(path, &info) == 0, info.st_uid != geteuid() {
      throw notAllowed(record)
    }
    switch (action, record.pausedSince) {
    case (.pause, let since?):
      throw Failure(
        description: "\(run) is already paused (since \(Timestamp.format(since)))", exitCode: 1)
    case (.resume, nil):
      throw Failure(description: "\(run) is not paused", exitCode: 1)
    default: break
    }
  }

  static func notAllowed(_ record: RunRecord) -> Failure {
    Failure(
      description: "not allowed: run \(record.runId) is \(record.user)'s, and only they "
        + "(or root) may pause or resume it", exitCode: 1)
  }
}
