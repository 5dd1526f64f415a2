import FoundationEssentials

/// Slurm's client programs, found in the orchestrator's PATH and run
/// through its own spawn path: `sbatch` to submit, one batched `squeue` to
/// follow every job of the run, `scancel` with every id in one call.
public struct SlurmClient: Sendable {
  /// Absolute paths; nil where the program is missing.
  let sbatch: String?
  let squeue: String?
  let scancel: String?
  /// For pausing a run: `scontrol suspend|resume|hold|release`.
  let scontrol: String?
  /// The orchestrator's own environment, for squeue and scancel.
  let environment: SharedEnvironment

  static let programs = ["sbatch", "squeue", "scancel"]
  /// States of a job that has not ended yet.
  static let activeStates: Set<String> = [
    "PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "REQUEUE_HOLD",
    "REQUEUE_FED", "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED",
  ]

  struct JobState: Equatable {
    var state: String
    var reason: String
    var node: String?
  }

  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  init(searchPath: String, environment: SharedEnvironment) {
    func find(_ name: String) -> String? {
      try? ExecutableLookup.resolve(name, searchPath: searchPath, directory: "/")
    }
    sbatch = find("sbatch")
    squeue = find("squeue")
    scancel = find("scancel")
    scontrol = find("scontrol")
    self.environment = environment
  }

  /// The Slurm programs a plan needs that are not in this process's PATH.
  public static func missingPrograms(for plan: Plan) -> [String] {
    guard plan.steps.contains(where: { $0.task.executor != .local }) else { return [] }
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    let client = SlurmClient(searchPath: path, environment: SharedEnvironment([:]))
    return zip(programs, [client.sbatch, client.squeue, client.scancel]).filter { $0.1 == nil }
      .map(\.0)
  }

  /// Submits and returns the job id, or Slurm's own words on why not.
  func submit(_ arguments: [String], environment: ProcessEnvironment) throws(Failure) -> String {
    guard let sbatch else {
      throw Failure(description: "sbatch not found in PATH (is this a Slurm submit host?)")
    }
    let result: CapturedCommand.Result
    do {
      result = try CapturedCommand.run(sbatch, arguments, environment: environment)
    } catch {
      throw Failure(description: error.description)
    }
    // --parsable prints `id` or `id;cluster`.
    let id = result.output.split(whereSeparator: \.isNewline).last.map {
      String($0.split(separator: ";").first ?? "")
    }
    guard result.succeeded, let id, !id.isEmpty, id.allSatisfy(\.isNumber) else {
      throw Failure(description: result.oneLine.isEmpty ? "sbatch failed" : result.oneLine)
    }
    return id
  }

  /// Every job's state, reason and node in one call; jobs Slurm no longer
  /// knows are absent. nil when squeue could not answer.
  func states(of ids: [String]) -> [String: JobState]? {
    guard let squeue,
      let result = try? CapturedCommand.run(
        squeue,
        [
          "--jobs=\(ids.joined(separator: ","))", "-t", "all", "--noheader", "-o", "%i %T %r %N",
        ], environment: ProcessEnvironment(shared: environment))
    else { return nil }
    // squeue fails outright when none of the ids is known any more.
    if !result.succeeded {
      return result.output.contains("Invalid job id") ? [:] : nil
    }
    return Self.parse(result.output)
  }

  static func parse(_ output: String) -> [String: JobState] {
    var states: [String: JobState] = [:]
    for line in output.split(whereSeparator: \.isNewline) {
      let fields = line.split(separator: " ", maxSplits: 3).map(String.init)
      guard fields.count >= 3 else { continue }
      let node = fields.count > 3 && !fields[3].isEmpty ? fields[3] : nil
      states[fields[0]] = JobState(state: fields[1], reason: fields[2], node: node)
    }
    return states
  }

  /// `scancel` for every id at once; with `signal`, only that signal to
  /// the batch script (the task wrapper) of jobs that run.
  @discardableResult
  func scancel(_ ids: [String], signal: String?) -> Bool {
    guard let scancel, !ids.isEmpty else { return false }
    let arguments = (signal.map { ["--batch", "--signal=\($0)"] } ?? []) + ids
    let result = try? CapturedCommand.run(
      scancel, arguments, environment: ProcessEnvironment(shared: environment))
    return result?.succeeded ?? false
  }

  /// `scontrol VERB` for one job (suspend and resume a running job, hold
  /// and release a queued one); nil when it worked, else Slurm's words.
  func control(_ verb: String, job id: String) -> String? {
    guard let scontrol else { return "scontrol not found in PATH" }
    do {
      let result = try CapturedCommand.run(
        scontrol, [verb, id], environment: ProcessEnvironment(shared: environment))
      if result.succeeded { return nil }
      return result.oneLine.isEmpty ? "scontrol \(verb) \(id) failed" : result.oneLine
    } catch {
      return error.description
    }
  }

  /// The jobs among `ids` still queued or running whose name is the one
  /// recorded: an id alone may have been reused by another job since.
  func activeJobs(_ named: [String: String]) -> [String] {
    guard let squeue, !named.isEmpty,
      let result = try? CapturedCommand.run(
        squeue,
        ["--jobs=\(named.keys.sorted().joined(separator: ","))", "--noheader", "-o", "%i\t%j"],
        environment: ProcessEnvironment(shared: environment)),
      result.succeeded
    else { return [] }
    return result.output.split(whereSeparator: \.isNewline).compactMap { line in
      let fields = line.split(separator: "\t", maxSplits: 1).map(String.init)
      guard fields.count == 2, named[fields[0]] == fields[1] else { return nil }
      return fields[0]
    }
  }
}
