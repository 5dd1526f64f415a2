import Foundation
import Testing

@testable import OrchestrateCore
@testable import OrchestrateStatus

/// Missed runs and schedule-derived max_age, from fabricated records.
@Suite struct MissedRunTests {
  static func date(_ text: String) -> Date { Timestamp.parse(text)! }

  /// Nightly runs at 02:00:05 UTC from 1 to 9 June 2026, scheduled `0 2 * * *`.
  func nightly(
    through last: Int = 9, schedule: String = "0 2 * * *", grace: Double? = nil,
    timezone: String? = "UTC"
  ) -> [RunRecord] {
    (1...last).map { day in
      var record = SyntheticRuns.record(
        day, startedAt: Self.date("2026-06-0\(day)T02:00:05Z"), duration: 300)
      record.schedule = schedule
      record.timezone = timezone
      record.scheduleGraceSeconds = grace
      return record
    }
  }

  func run(at time: String, after records: [RunRecord], sources: [String] = []) -> RunRecord {
    var record = SyntheticRuns.record(records.count + 1, startedAt: Self.date(time), duration: 60)
    record.schedule = records.last?.schedule
    record.timezone = records.last?.timezone
    record.scheduleGraceSeconds = records.last?.scheduleGraceSeconds
    record.sourceFilter = sources
    record.trigger = .manual
    return record
  }

  @Test func aNightWithoutARunIsAMissedRunOnceTheGraceHasPassed() {
    // Due 10 June 02:00; the derived grace is an hour (a tenth of a day, at most 1h).
    let now = Self.date("2026-06-10T04:00:00Z")
    let status = PipelineAssessment(nightly(), now: now).assess()
    #expect(status.missed == .init(dueAt: Self.date("2026-06-10T02:00:00Z"), lateSeconds: 7200))
    #expect(status.health.level == .critical)
    #expect(
      status.health.problems.map(\.message) == [
        "missed run: due Wed 2026-06-10 02:00 +00:00, none started since (2h late)",
        "no successful run within max_age 1d1h (last successful run 1d1h59m55s ago)",
      ])
    #expect(status.nextDue == Self.date("2026-06-11T02:00:00Z"))
  }

  @Test func withinTheGraceNothingIsMissed() {
    let status = PipelineAssessment(nightly(), now: Self.date("2026-06-10T02:59:00Z")).assess()
    #expect(status.missed == nil)
    #expect(status.health.level == .ok, "\(status.health.problems)")
  }

  @Test func anExplicitGraceIsHonoured() {
    let records = nightly(grace: 3 * 3600)
    #expect(
      PipelineAssessment(records, now: Self.date("2026-06-10T04:00:00Z")).assess().missed == nil)
    #expect(
      PipelineAssessment(records, now: Self.date("2026-06-10T05:00:01Z")).assess().missed != nil)
  }

  @Test func aRunByHandCountsButASourceRunDoesNot() {
    let now = Self.date("2026-06-10T04:00:00Z")
    let records = nightly()
    let bySource = records + [run(at: "2026-06-10T02:10:00Z", after: records, sources: ["geo"])]
    #expect(PipelineAssessment(bySource, now: now).assess().missed != nil)
    let byHand = records + [run(at: "2026-06-10T03:30:00Z", after: records)]
    #expect(PipelineAssessment(byHand, now: now).assess().missed == nil)
  }

  @Test func aRunStillInProgressCounts() {
    let now = Self.date("2026-06-10T04:00:00Z")
    var records = nightly()
    var live = run(at: "2026-06-10T02:00:03Z", after: records)
    live.status = .running
    live.finishedAt = nil
    live.durationSeconds = nil
    records.append(live)
    let status = PipelineAssessment(records, now: now, liveness: { _ in .alive }).assess()
    #expect(status.missed == nil)
  }

  @Test func noScheduleNeverMisses() {
    var records = nightly()
    for index in records.indices { records[index].schedule = nil }
    let status = PipelineAssessment(records, now: Self.date("2026-06-20T04:00:00Z")).assess()
    #expect(status.missed == nil)
    #expect(status.nextDue == nil)
    #expect(status.maxAgeSeconds == Double(26 * 3600))
  }

  /// max_age is the gap between the last two due times plus the grace: a
  /// weekday schedule allows a weekend on Monday, a day on Tuesday.
  @Test func maxAgeFollowsTheGapBetweenDueTimes() throws {
    let expectation = try #require(
      ScheduleExpectation(schedule: "0 2 * * 1-5", timezone: "UTC", graceSeconds: nil))
    // 8 June 2026 is a Monday.
    #expect(expectation.maxAge(now: Self.date("2026-06-08T10:00:00Z")) == 3 * 86400 + 3600)
    #expect(expectation.maxAge(now: Self.date("2026-06-09T10:00:00Z")) == 86400 + 3600)
    let quarterly = try #require(
      ScheduleExpectation(schedule: "*/15 * * * *", timezone: nil, graceSeconds: nil))
    #expect(quarterly.maxAge(now: Self.date("2026-06-09T10:07:00Z")) == 900 + 90)
  }

  /// The same answer through the status index, cold and warm: a run started
  /// with --source is marked in the index, not read from its file again.
  @Test func theStatusIndexKeepsSourceRunsApart() throws {
    let root = SyntheticRuns.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let records = nightly()
    let bySource = run(at: "2026-06-10T02:10:00Z", after: records, sources: ["geo"])
    try SyntheticRuns.write(records + [bySource], to: "\(root)/metrics/p")
    let now = Self.date("2026-06-10T04:00:00Z")
    for pass in ["cold", "warm"] {
      let report = StatusCollector.collect(layout: RootLayout(root: root), windowDays: 7, now: now)
      let pipeline = try #require(report.pipelines.first)
      #expect(pipeline.missed?.dueAt == Self.date("2026-06-10T02:00:00Z"), "\(pass)")
      #expect(report.health.level == .critical, "\(pass)")
    }
    let index = try String(contentsOfFile: "\(root)/metrics/p/.status-index", encoding: .utf8)
    #expect(index.contains("\tF\t\(bySource.runId)\t"))
  }
}
