import Foundation
import OrchestrateKit
import Testing

/// A scheduled pipeline whose last run is two days old: status finds the
/// missed night in every output, a run with --source does not settle it,
/// a run by hand does.
@Suite struct MissedRunStatusTests {
  func status(_ root: TestRoot, _ arguments: String...) throws -> Invocation {
    try Orchestrate.run(["status"] + arguments + ["--root", root.path])
  }

  /// Moves a run's record two days into the past, as if it ran then.
  func age(_ root: TestRoot, pipeline: String, by seconds: Double) throws {
    let directory = "\(root.path)/metrics/\(pipeline)"
    for name in try FileManager.default.contentsOfDirectory(atPath: directory)
    where name.hasPrefix("run_") && name.hasSuffix(".json") {
      let url = URL(fileURLWithPath: "\(directory)/\(name)")
      var record = try RecordCoding.decoder().decode(RunRecord.self, from: Data(contentsOf: url))
      record.startedAt -= seconds
      record.updatedAt -= seconds
      record.finishedAt = record.finishedAt.map { $0 - seconds }
      try RecordCoding.encoder().encode(record).write(to: url)
    }
  }

  /// A cron expression due every day at `due`'s time of day (UTC).
  static func daily(at due: Date) -> String {
    let minutes = Int(due.timeIntervalSince1970) / 60 % 1440
    return "\(minutes % 60) \(minutes / 60) * * *"
  }

  @Test func aMissedNightIsCriticalUntilARunStarts() throws {
    let root = TestRoot()
    // Due every day two hours ago (UTC), so the grace of an hour has passed.
    let due = Date().addingTimeInterval(-2 * 3600)
    root.write(
      "pipelines/nightly.yaml",
      """
      schedule: "\(Self.daily(at: due))"
      timezone: UTC
      sources: [geo]
      tasks: [{name: a, run: 'true', source: geo}, {name: b, run: 'true'}]
      """)
    try Orchestrate.run(["nightly", "--root", root.path])
    try age(root, pipeline: "nightly", by: 2 * 86400)

    let check = try status(root, "--check")
    #expect(check.exitCode == 2, "\(check.stdout)")
    #expect(check.stdout.contains("nightly: missed run: due "), "\(check.stdout)")

    let table = try status(root)
    #expect(table.stdout.contains("next due"), "\(table.stdout)")
    #expect(table.stdout.contains("missed"), "\(table.stdout)")

    let json = try status(root, "--json")
    let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
    let pipeline = try #require((document?["pipelines"] as? [[String: Any]])?.first)
    let missed = try #require(pipeline["missed"] as? [String: Any], "\(json.stdout)")
    let dueAt = try #require(Timestamp.parse(missed["due_at"] as? String ?? ""))
    #expect(abs(dueAt.timeIntervalSince(due)) < 60)
    #expect((missed["late_seconds"] as? Double ?? 0) > 7000)
    #expect(pipeline["next_due"] is String)

    let file = "\(root.path)/orchestrate.prom"
    try status(root, "--prometheus", file)
    let metrics = try String(contentsOfFile: file, encoding: .utf8)
    #expect(metrics.contains("orchestrate_missed_run{pipeline=\"nightly\"} 1"))

    // Only some tasks: not a run of the pipeline.
    try Orchestrate.run(["nightly", "--source", "geo", "--root", root.path])
    #expect(try status(root, "--check").stdout.contains("missed run"))

    try Orchestrate.run(["nightly", "--manual", "--root", root.path])
    let settled = try status(root, "--check")
    #expect(settled.exitCode == 0, "\(settled.stdout)")
    try status(root, "--prometheus", file)
    #expect(
      try String(contentsOfFile: file, encoding: .utf8).contains(
        "orchestrate_missed_run{pipeline=\"nightly\"} 0"))
  }
}
