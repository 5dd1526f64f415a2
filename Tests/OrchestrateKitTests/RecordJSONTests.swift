import Foundation
import Testing

@testable import OrchestrateRecords
@testable import OrchestrateStatus

/// The record's fields are listed once, in the types' `Codable`
/// conformance: the fast writer must write what Foundation's encoder with
/// `RecordCoding`'s settings writes, and the JSON Schema must name exactly
/// the fields a record with every field set has.
@Suite struct RecordJSONTests {
  /// Every optional field set, strings that need escaping, numbers of every shape.
  func fullRecord() -> RunRecord {
    let start = Date(timeIntervalSince1970: 1_795_000_000.125)
    var attempt = AttemptRecord(number: 1, startedAt: start)
    attempt.pid = 4242
    attempt.processStartTicks = 123_456_789_012
    attempt.finishedAt = start.addingTimeInterval(1.5)
    attempt.durationSeconds = 1.500_000_1
    attempt.exitCode = 3
    attempt.signal = 9
    attempt.timedOut = true
    attempt.error = "cannot start: \"quoted\"\n\tand\u{1}control"
    attempt.peakRssBytes = 150_000_000
    attempt.cpuUserSeconds = 0.004902362823486328
    attempt.cpuSystemSeconds = 1e-05
    attempt.readBytes = 4096
    attempt.writeBytes = 209_715_200
    attempt.liveResources = LiveResources(
      sampledAt: start, processes: 3, rssBytes: 212_000_000, cpuPercent: 98.5, cpuSeconds: 12.25,
      readBytes: 0, writeBytes: 1 << 40)
    attempt.logFile = "logs/p/run/extract[géo].1.log"
    attempt.executor = "slurm"
    attempt.jobId = "4711"
    attempt.node = "node-1"
    attempt.queuedSeconds = 2.5
    attempt.jobState = "TIMEOUT"
    var task = TaskRecord(
      name: "extract[géo]", task: "extract", source: "géo", dependsOn: ["a", "b\\c"],
      logFile: "logs/p/run/extract[géo].log")
    task.status = .timedOut
    task.reason = "timed out after 30m"
    task.exitCode = -1
    task.signal = 15
    task.attempts = [attempt, AttemptRecord(number: 2, startedAt: start)]
    task.startedAt = start
    task.finishedAt = start.addingTimeInterval(60)
    task.durationSeconds = 60
    task.error = "last line ✓"
    task.peakRssBytes = 1
    task.cpuUserSeconds = 2
    task.cpuSystemSeconds = 0.1
    task.readBytes = 8192
    task.writeBytes = 0
    task.leftoverProcesses = 2
    task.progress = TaskProgress(
      done: 35, total: 50, message: "file 35 of 50", phase: "loading", updatedAt: start)
    task.phases = [
      PhaseRecord(
        name: "loading", status: .failed, startedAt: start, finishedAt: start, done: 50,
        total: 50, weight: 0.25, error: "boom\n"),
      PhaseRecord(name: "indexing", status: .running, startedAt: start),
      PhaseRecord(name: "publishing", status: .skipped, weight: 0.75),
    ]
    task.metrics = ["documents_loaded": 1500, "a\"b": -2.5, "big": 1e20, "tiny": 1.25e-7]
    task.malformedReportLines = 4
    task.reusedFrom = "run_20261121_020000_4000"
    task.state = TaskStateRecord(
      from: "run_20261121_020000_4000", committed: "run_20261122_020000_4121")
    let quiet = TaskRecord(name: "quiet", task: "quiet", source: nil, dependsOn: [], logFile: "x")
    var unwanted = TaskRecord(
      name: "weekly", task: "weekly", source: nil, dependsOn: [], logFile: "y")
    unwanted.status = .notWanted
    var record = RunRecord(
      schemaVersion: 1, runId: "run_20261122_020000_4121", pipeline: "omics-daily",
      pipelineFile: "/srv/etl/pipelines/omics-daily.yaml",
      pipelineSha256: String(repeating: "ab", count: 32),
      status: .partial, reason: "received SIGTERM", exitCode: 143, startedAt: start,
      finishedAt: start.addingTimeInterval(61), durationSeconds: 61.000_001, updatedAt: start,
      host: "etl-1", pid: 4121, processStartTicks: 99, bootId: "0f0e", user: "etl",
      trigger: .scheduled, sourceFilter: ["géo"], orchestrateVersion: "0.1.0", maxParallel: 4,
      schedule: "0 2 * * *", timeoutSeconds: 86400, stuckAfterSeconds: 28800.5,
      maxAgeSeconds: 93600, orchestratorPeakRssBytes: 20_000_000, orchestratorCpuSeconds: 0.084,
      anomalies: [
        // A total's, so that the fixture has every field an anomaly can have.
        Anomaly(
          task: "extract", field: "documents_loaded", value: 12, median: 1500, scope: .total)
      ],
      counts: TaskCounts([task, quiet, unwanted]), tasks: [task, quiet, unwanted])
    record.timezone = "Europe/Paris"
    record.scheduleGraceSeconds = 600
    record.minSuccessRate = 0.75
    record.escapedProcesses = 1
    record.pausedAfterSeconds = 7200
    record.pausedSince = start
    record.pausedSeconds = 12.5
    record.environment = "prod"
    record.params = ["fullRefresh": "true", "token": "***"]
    record.secretNames = ["token"]
    record.logicalDate = "2026-11-21"
    record.dueAt = start
    record.warnings = ["retries: 5 runs needed"]
    record.rerunOf = "run_20261121_020000_4000"
    record.originalPipelineSha256 = String(repeating: "cd", count: 32)
    record.taskFilter = ["extract"]
    record.totals = [
      "extract": ["documents_loaded": CounterTotal(total: 1500, bySource: ["géo": 1500])],
      "load": ["a\"b": CounterTotal(total: -2.5)],
    ]
    record.notifications = [
      NotificationRecord(
        channel: "slack", host: "hooks.slack.com", event: .partial, delivered: false, attempts: 3,
        httpStatus: 503, error: "HTTP 503 \"busy\""),
      NotificationRecord(
        channel: "email", host: nil, event: .partial, delivered: true, attempts: 1),
    ]
    return record
  }

  /// The optional fields of `value` (and of the records in it) that are
  /// nil, by path: a field declared and not set in `fullRecord` would
  /// escape the comparisons below.
  func unset(_ value: Any, path: String = "record") -> [String] {
    let mirror = Mirror(reflecting: value)
    switch mirror.displayStyle {
    case .optional:
      return mirror.children.first.map { unset($0.value, path: path) } ?? [path]
    case .collection:
      return mirror.children.first.map { unset($0.value, path: path + "[0]") } ?? [
        path + " (empty)"
      ]
    case .struct:
      return mirror.children.flatMap { unset($0.value, path: "\(path).\($0.label ?? "?")") }
    default:
      return []
    }
  }

  /// Pairs the objects of a document with the schema's object types, field
  /// by field: both must name the same keys. Dictionaries keyed by data
  /// (`params`, `metrics`) have no `properties` and are not compared.
  func mismatches(_ value: Any, _ schema: [String: Any], path: String) -> [String] {
    if let object = value as? [String: Any], let properties = schema["properties"] as? [String: Any]
    {
      let written = Set(object.keys)
      let described = Set(properties.keys)
      var found = written.subtracting(described).sorted().map { "\(path).\($0): not in the schema" }
      found += described.subtracting(written).sorted().map {
        "\(path).\($0): in the schema, not written"
      }
      for (key, child) in object {
        if let childSchema = properties[key] as? [String: Any] {
          found += mismatches(child, childSchema, path: "\(path).\(key)")
        }
      }
      return found
    }
    if let array = value as? [Any], let first = array.first,
      let items = schema["items"] as? [String: Any]
    {
      return mismatches(first, items, path: path + "[0]")
    }
    return []
  }

  @Test func theFixtureSetsEveryFieldTheRecordHas() {
    #expect(unset(fullRecord()) == [])
  }

  @Test func theSchemaNamesExactlyTheFieldsWritten() throws {
    let schemaFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../docs/run-record.schema.json")
    let schema = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: schemaFile)) as? [String: Any])
    let written = try JSONSerialization.jsonObject(with: RecordJSON.encode(fullRecord()))
    #expect(mismatches(written, schema, path: "record") == [])
  }

  /// A field is declared once: the fast writer writes it with no list to
  /// extend, as Foundation's encoder does.
  @Test func aNewFieldIsWrittenAsSoonAsItIsDeclared() throws {
    struct Later: Codable {
      var runId = "run_1"
      var addedLater: Double? = 0.5
      var nested = [Inner()]
      struct Inner: Codable {
        var queuedAt = Date(timeIntervalSince1970: 0)
        var labels = ["camelCase": "kept as written"]
      }
    }
    let ours = String(decoding: RecordJSON.encode(Later()), as: UTF8.self)
    let theirs = String(decoding: try RecordCoding.encoder().encode(Later()), as: UTF8.self)
    #expect(ours.contains(#""added_later" : 0.5"#), "\(ours)")
    #expect(ours == theirs + "\n")
  }

  func foundation(_ record: RunRecord) throws -> String {
    let text = String(decoding: try RecordCoding.encoder().encode(record), as: UTF8.self)
    // Foundation spells empty containers over several lines.
    return text.replacingOccurrences(of: #"\[\s*\]"#, with: "[]", options: .regularExpression)
      .replacingOccurrences(of: #"\{\s*\}"#, with: "{}", options: .regularExpression) + "\n"
  }

  @Test func writesWhatFoundationWrites() throws {
    for record in [fullRecord(), SyntheticRuns.record(3, status: .running)] {
      let ours = String(decoding: RecordJSON.encode(record), as: UTF8.self)
      #expect(ours == (try foundation(record)))
    }
  }

  @Test func readsBackAsTheSameRecord() throws {
    let record = fullRecord()
    let decoded = try RecordCoding.decoder().decode(RunRecord.self, from: RecordJSON.encode(record))
    #expect(decoded == record)
  }

  @Test func anInfiniteFactorStillMakesAReadableRecord() throws {
    var record = SyntheticRuns.record(1)
    record.anomalies = [Anomaly(task: "t", field: "duration_seconds", value: 5, median: 0)]
    let decoded = try RecordCoding.decoder().decode(RunRecord.self, from: RecordJSON.encode(record))
    #expect(decoded.anomalies?.first?.factor == .greatestFiniteMagnitude)
  }
}
