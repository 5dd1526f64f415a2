import Foundation
import Testing

@testable import OrchestrateKit

/// `schedule`, `timezone` and `schedule_grace` in pipeline files.
@Suite struct ScheduleFieldTests {
  @Test func readsTheScheduleItsZoneAndGrace() throws {
    let pipeline = try parse(
      """
      schedule: "30 2 * * 1-5"
      timezone: Europe/Berlin
      schedule_grace: 20m
      tasks: [{name: a, run: x}]
      """)
    #expect(pipeline.schedule == "30 2 * * 1-5")
    #expect(pipeline.cron == (try CronExpression(parsing: "30 2 * * 1-5")))
    #expect(pipeline.timeZone == "Europe/Berlin")
    #expect(pipeline.scheduleGrace == .seconds(1200))
  }

  /// The column points at the offending value inside the expression,
  /// whether the value is quoted, plain or JSON.
  @Test(arguments: [
    (
      "schedule: \"0 25 * * *\"\ntasks: [{name: a, run: x}]",
      "p.yaml:1:14: schedule: hour 25 is out of range 0-23"
    ),
    (
      "schedule: 0 25 * * *\ntasks: [{name: a, run: x}]",
      "p.yaml:1:13: schedule: hour 25 is out of range 0-23"
    ),
    (
      "{\"tasks\": [{\"name\": \"a\", \"run\": \"x\"}],\n \"schedule\": \"0 2 * jan-foo *\"}",
      "p.yaml:2:25: schedule: month 'foo' is not a number or a name (jan-dec)"
    ),
    (
      "schedule: '@daily'\ntimezone: Mars/Olympus_Mons\ntasks: [{name: a, run: x}]",
      "p.yaml:2:11: timezone: unknown time zone 'Mars/Olympus_Mons' (write an IANA name such as Europe/Berlin or UTC)"
    ),
    (
      "timezone: UTC\ntasks: [{name: a, run: x}]",
      "p.yaml:1:11: timezone: applies to 'schedule', which is not set"
    ),
    (
      "schedule_grace: 5m\ntasks: [{name: a, run: x}]",
      "p.yaml:1:17: schedule_grace: applies to 'schedule', which is not set"
    ),
    (
      "schedule: '@daily'\nschedule_grace: 0\ntasks: [{name: a, run: x}]",
      "p.yaml:2:17: schedule_grace: must be longer than zero"
    ),
  ])
  func mistakesAreRefusedWithTheirPosition(_ text: String, _ message: String) throws {
    let error = try #require(rejection(text))
    #expect(error.description == message)
  }
}
