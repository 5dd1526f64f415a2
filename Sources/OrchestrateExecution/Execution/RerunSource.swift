import FoundationEssentials

/// The run `orchestrate rerun` starts from: a record found by run id or as
/// the newest finished run of a pipeline, settled from its journal when
/// its orchestrator died (the rerun then settles it on disk too, under the
/// pipeline's lock, before it runs anything).
public enum RerunSource {
  public struct Problem: Error, CustomStringConvertible, Equatable {
    public var description: String
  }

  public static func find(runId: String, layout: RootLayout) throws(Problem) -> RunRecord {
    let pipelines = layout.pipelinesWithRecords()
    for pipeline in pipelines {
      let path = "\(layout.metricsDirectory(pipeline: pipeline))/\(runId).json"
      guard FileManager.default.fileExists(atPath: path) else { continue }
      guard let record = RecordCoding.readRecord(at: path) else {
        throw Problem(description: "cannot read the record \(path)")
      }
      return try finished(record, layout: layout)
    }
    throw Problem(description: "no run '\(runId)' in \(layout.metricsDirectory)")
  }

  /// The newest run of `pipeline` that has ended (or whose orchestrator
  /// died); with `environment`, the newest of that environment's runs.
  public static func newest(pipeline: String, environment: String? = nil, layout: RootLayout)
    throws(Problem) -> RunRecord
  {
    let directory = layout.metricsDirectory(pipeline: pipeline)
    let all = StatusIndex.load(directory: directory, tasks: .newest(0)).runs
    let runs = all.filter { environment == nil || $0.environment == environment }
    if let environment, runs.isEmpty, !all.isEmpty {
      let seen = Set(all.compactMap(\.environment)).sorted()
      throw Problem(
        description: "no runs of pipeline '\(pipeline)' in environment '\(environment)'"
          + (seen.isEmpty ? "" : " (its runs are in: \(seen.joined(separator: ", ")))"))
    }
    guard !runs.isEmpty else {
      let known = layout.pipelinesWithRecords()
      var message = "no runs of pipeline '\(pipeline)' in \(layout.metricsDirectory)"
      if let guess = closestMatch(to: pipeline, in: Set(known)) {
        message += " (did you mean '\(guess)'?)"
      }
      throw Problem(description: message)
    }
    for digest in runs.reversed() {
      guard let record = RecordCoding.readRecord(at: "\(directory)/\(digest.file)") else {
        continue
      }
      if let ended = try? finished(record, layout: layout) { return ended }
    }
    throw Problem(description: "no finished run of \(pipeline): the newest is still running")
  }

  private static func finished(_ record: RunRecord, layout: RootLayout) throws(Problem)
    -> RunRecord
  {
    guard record.status == .running else { return record }
    guard ProcessIdentity(of: record).liveness() == .gone else {
      throw Problem(
        description: "\(record.runId) is still running (pid \(record.pid) on \(record.host))")
    }
    return AbandonedRuns.reconstruct(record, layout: layout)
  }

  /// What a rerun is told: the original's environment, parameters (secret
  /// values are never recorded: those must be given again) and logical
  /// date, with what the command line says on top.
  public static func request(from original: RunRecord, overriding given: RunSettings.Request)
    -> RunSettings.Request
  {
    var request = given
    request.environment = given.environment ?? original.environment
    request.date = given.date ?? original.logicalDate
    let secrets = Set(original.secretNames ?? [])
    let taken = (original.params ?? [:]).filter {
      !secrets.contains($0.key) && $0.value != SecretMask.placeholder
    }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    request.assignments = taken + given.assignments
    return request
  }
}
