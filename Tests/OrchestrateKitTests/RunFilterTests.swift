import Foundation
import Testing

@testable import OrchestrateRecords
@testable import OrchestrateStatus

/// The words of `runs` and `/api/runs` turned into a filter, and the runs
/// it selects from a pipeline's digests.
@Suite struct RunFilterTests {
  static let berlin = ZoneInfo.named("Europe/Berlin")!
  /// 2026-11-22T12:00:00Z, a Sunday.
  static let now = Timestamp.parse("2026-11-22T12:00:00.000Z")!

  func moment(_ text: String, _ edge: TimeBound.Edge = .start) -> String? {
    TimeBound.parse(text, edge: edge, now: Self.now, zone: Self.berlin).map(Timestamp.format)
  }

  @Test func durationsCountBackFromNow() {
    #expect(moment("14d") == "2026-11-08T12:00:00.000Z")
    #expect(moment("36h") == "2026-11-21T00:00:00.000Z")
    #expect(moment("1h30m") == "2026-11-22T10:30:00.000Z")
    #expect(moment("2w", .end) == "2026-11-08T12:00:00.000Z", "a duration has no day to end")
    #expect(moment("14") == nil, "days or seconds? a unit is needed")
    #expect(moment("-3d") == nil)
    #expect(moment("14x") == nil)
  }

  @Test func aDayIsTheLocalDayFromItsStartToItsEnd() {
    // Berlin is at +01:00 in November, +02:00 in July.
    #expect(moment("2026-11-20") == "2026-11-19T23:00:00.000Z")
    #expect(moment("2026-11-20", .end) == "2026-11-20T23:00:00.000Z")
    #expect(moment("2026-07-01") == "2026-06-30T22:00:00.000Z")
    // The day summer time ends is 25 hours long.
    #expect(moment("2026-10-25") == "2026-10-24T22:00:00.000Z")
    #expect(moment("2026-10-25", .end) == "2026-10-25T23:00:00.000Z")
    #expect(moment("2026-02-30") == nil)
    #expect(moment("2026-11-2") == nil)
  }

  @Test func timesAreLocalUnlessTheySayTheirOffset() {
    #expect(moment("2026-11-20T02:00") == "2026-11-20T01:00:00.000Z")
    #expect(moment("2026-11-20 02:00:30") == "2026-11-20T01:00:30.000Z")
    #expect(moment("2026-11-20T02:00:00Z") == "2026-11-20T02:00:00.000Z")
    #expect(moment("2026-11-20T02:00:00.250Z") == "2026-11-20T02:00:00.250Z")
    #expect(moment("2026-11-20T02:00:00+05:30") == "2026-11-19T20:30:00.000Z")
    #expect(moment("2026-11-20T02:00-0100") == "2026-11-20T03:00:00.000Z")
    #expect(moment("2026-07-01T02:00") == "2026-07-01T00:00:00.000Z")
    for bad in [
      "2026-11-20T25:00", "2026-11-20T02", "2026-11-20T02:00Zulu", "2026-11-20T2:00",
      "2026-11-20T02:00+1", "yesterday", "",
    ] {
      #expect(moment(bad) == nil, "\(bad)")
    }
  }

  func filter(_ edit: (inout RunFilter.Words) -> Void) throws(RunFilter.Problem) -> RunFilter {
    var words = RunFilter.Words()
    edit(&words)
    return try RunFilter(words, now: Self.now, zone: Self.berlin)
  }

  func problem(_ edit: (inout RunFilter.Words) -> Void) -> String? {
    do {
      _ = try filter(edit)
      return nil
    } catch {
      return error.description
    }
  }

  @Test func wordsBecomeAFilter() throws {
    let plain = try filter { _ in }
    #expect(plain.limit == RunFilter.defaultLimit && plain.selectsEveryRun)
    let full = try filter {
      $0.statuses = ["failed,partial", " cancelled "]
      $0.environment = "prod"
      $0.since = "14d"
      $0.until = "2026-11-21"
      $0.trigger = "rerun"
      $0.limit = "0"
    }
    #expect(full.statuses == [.failed, .partial, .cancelled])
    #expect(full.environment == "prod" && full.trigger == .rerun && full.limit == nil)
    #expect(full.since.map(Timestamp.format) == "2026-11-08T12:00:00.000Z")
    #expect(full.until.map(Timestamp.format) == "2026-11-21T23:00:00.000Z")
    #expect(!full.selectsEveryRun)
    #expect(try filter { $0.environment = "" }.environment == nil, "an empty query value")
  }

  @Test func badWordsAreRefusedNamingTheirOption() {
    #expect(
      problem { $0.statuses = ["failed,faild"] }
        == "status: 'faild' is not a run status (did you mean 'failed'?)")
    #expect(
      problem { $0.statuses = ["bogus"] }?.hasPrefix(
        "status: 'bogus' is not a run status (running, completed,") == true)
    #expect(
      problem { $0.trigger = "cron" }
        == "trigger: 'cron' is not a trigger (scheduled, manual, rerun)")
    #expect(problem { $0.since = "soon" }?.hasPrefix("since: 'soon' is not a date") == true)
    #expect(
      problem { $0.until = "2026-13-01" }?.hasPrefix("until: '2026-13-01' is not a date") == true)
    #expect(
      problem {
        $0.since = "1d"
        $0.until = "2d"
      } == "since: '1d' is not before until '2d'")
    for limit in ["-1", "100001", "ten", "1e3"] {
      #expect(problem { $0.limit = limit }?.hasPrefix("limit: '\(limit)' is not a number") == true)
    }
    #expect(problem { $0.limit = "100000" } == nil)
  }

  /// Hourly runs, oldest first: every third failed, odd ones in prod, the
  /// newest a rerun, the one before it started by hand.
  func digests(_ count: Int) -> [RunDigest] {
    (0..<count).map { index in
      let started = Self.now.timeIntervalSince1970 - Double(count - index) * 3600
      return RunDigest(
        file: "r\(index).json", runId: "run_\(index)",
        status: index % 3 == 0 ? .failed : .completed,
        startedAt: started, durationSeconds: 60, tasks: [],
        environment: index % 2 == 1 ? "prod" : nil,
        scheduled: index != count - 2, rerunOf: index == count - 1 ? "run_\(index - 3)" : nil,
        taskCounts: (8, index % 3 == 0 ? 8 : 0))
    }
  }

  func select(_ runs: [RunDigest], _ edit: (inout RunFilter.Words) -> Void) throws -> (
    ids: [String], matching: Int
  ) {
    let found = RunListCollector.newest(
      runs, pipeline: "p", filter: try filter(edit), status: { _ in .abandoned })
    return (found.runs.map(\.runId), found.matching)
  }

  @Test func selectionIsNewestFirstAndCountsEveryMatch() throws {
    let runs = digests(48)
    let newest = try select(runs) { _ in }
    #expect(newest.ids == (28..<48).reversed().map { "run_\($0)" })
    #expect(newest.matching == 48)
    let failedProd = try select(runs) {
      $0.statuses = ["failed"]
      $0.environment = "prod"
      $0.limit = "2"
    }
    #expect(failedProd.ids == ["run_45", "run_39"])
    #expect(failedProd.matching == 8, "3, 9, …, 45")
    let window = try select(runs) {
      $0.since = "10h"
      $0.until = "5h"
    }
    #expect(window.ids == ["run_42", "run_41", "run_40", "run_39", "run_38"])
    #expect(try select(runs) { $0.trigger = "rerun" }.ids == ["run_47"])
    #expect(try select(runs) { $0.trigger = "manual" }.ids == ["run_46"])
    #expect(try select(runs) { $0.trigger = "scheduled" }.matching == 46)
    let entry = try #require(
      RunListCollector.newest(
        runs, pipeline: "p", filter: try filter { _ in }, status: { $0.status }
      )
      .runs.first)
    #expect(entry.rerunOf == "run_44" && entry.trigger == .rerun && entry.environment == "prod")
    #expect(entry.tasksTotal == 8 && entry.tasksFailed == 0 && entry.pipeline == "p")
  }

  @Test func aRunningRunIsShownAsItIsJudged() throws {
    var runs = digests(3)
    runs[2].status = .running
    runs[2].durationSeconds = nil
    let found = try select(runs) { $0.statuses = ["abandoned"] }
    #expect(found.ids == ["run_2"], "its orchestrator is gone")
    #expect(try select(runs) { $0.statuses = ["running"] }.ids.isEmpty)
  }
}
