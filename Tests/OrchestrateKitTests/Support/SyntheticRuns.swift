import Foundation

@testable import OrchestrateRecords
@testable import OrchestrateStatus

/// Run records made up for status tests: a pipeline's history without
/// running it.
enum SyntheticRuns {
  static let epoch = Date(timeIntervalSince1970: 1_795_000_000)

  static func record(
    _ index: Int, status: RunStatus = .completed, startedAt: Date? = nil,
    duration: Double = 60, tasks: [(String, TaskStatus, Double)]? = nil, pid: Int32 = 4242,
    host: String = "elsewhere"
  ) -> RunRecord {
    let started = startedAt ?? epoch.addingTimeInterval(Double(index) * 86400)
    let run = RunID(startedAt: started, pid: pid + Int32(index))
    let taskList =
      tasks ?? (1...8).map { ("task\($0)", status == .completed ? .completed : .failed, 7.0) }
    let records = taskList.map { name, taskStatus, seconds in
      var task = TaskRecord(name: name, task: name, source: nil, dependsOn: [], logFile: "x")
      task.status = taskStatus
      if taskStatus.isFinished { task.durationSeconds = seconds }
      if taskStatus == .running { task.startedAt = started }
      task.peakRssBytes = 10_000_000
      return task
    }
    return RunRecord(
      schemaVersion: 1, runId: run.text, pipeline: "p", pipelineFile: "p.yaml",
      pipelineSha256: "", status: status, startedAt: started,
      finishedAt: status == .running ? nil : started.addingTimeInterval(duration),
      durationSeconds: status == .running ? nil : duration, updatedAt: started, host: host,
      pid: pid + Int32(index), user: "u", trigger: .scheduled,
      sourceFilter: [], orchestrateVersion: "0", maxParallel: 1, counts: TaskCounts(records),
      tasks: records)
  }

  static func write(_ records: [RunRecord], to directory: String) throws {
    try FileManager.default.createDirectory(
      atPath: directory, withIntermediateDirectories: true)
    for record in records {
      try RecordCoding.encoder().encode(record).write(
        to: URL(fileURLWithPath: "\(directory)/\(record.runId).json"))
    }
  }

  static func temporaryDirectory() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent(
      "orchestrate-status-\(UUID().uuidString)"
    ).path
  }
}

extension PipelineAssessment {
  /// An assessment over in-memory records.
  init(
    _ records: [RunRecord], now: Date, windowDays: Int = 7,
    liveness: @escaping (RunRecord) -> ProcessIdentity.Liveness = { _ in .gone }
  ) {
    let byId = Dictionary(uniqueKeysWithValues: records.map { ($0.runId, $0) })
    self.init(
      name: "p", runs: records.map { RunDigest($0, file: "\($0.runId).json") }, now: now,
      windowDays: windowDays, record: { byId[$0.runId] }, liveness: liveness)
  }
}
