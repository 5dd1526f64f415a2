import Foundation
import Testing

@testable import OrchestrateStatus

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

  static let declarations = """
    params:
      region: {type: choice, choices: [eu, us], default: us}
      full_refresh: {type: bool, default: false}
      token: {type: string, secret: true, default: x}
    environments: {dev: {}, prod: {}}
    default_environment: dev
    tasks: [{name: a, run: x}]

    """

  /// The mapping form says how scheduled runs are started; everything that
  /// reads the expression reads it as before.
  @Test func theMappingFormGivesTheScheduledRunsEnvironmentAndParameters() throws {
    let pipeline = try parse(
      Self.declarations + """
        schedule:
          cron: "30 2 * * 1-5"
          environment: prod
          params: {region: eu, full_refresh: yes}
        """)
    #expect(pipeline.schedule == "30 2 * * 1-5")
    #expect(pipeline.cron == (try CronExpression(parsing: "30 2 * * 1-5")))
    #expect(pipeline.scheduledRun.environment == "prod")
    #expect(pipeline.scheduledRun.params == ["region": "eu", "full_refresh": "true"])
    #expect(
      pipeline.scheduledRun.words == ["-e", "prod", "-p", "full_refresh=true", "-p", "region=eu"])
    let json = try parse(
      #"{"schedule": {"cron": "@daily", "params": {"full_refresh": true}},"#
        + #" "params": {"full_refresh": {"type": "bool", "default": false}},"#
        + #" "tasks": [{"name": "a", "run": "x"}]}"#, file: "p.json")
    #expect(json.schedule == "@daily")
    #expect(json.scheduledRun == ScheduledRunArguments(params: ["full_refresh": "true"]))
    #expect(try parse("schedule: '@daily'\ntasks: [{name: a, run: x}]").scheduledRun.isEmpty)
  }

  /// Each problem of the mapping names the file, the line and column of the
  /// value, and the field.
  @Test(arguments: [
    (
      "schedule: {cron: \"0 25 * * *\"}",
      "p.yaml:8:21: schedule.cron: hour 25 is out of range 0-23"
    ),
    (
      "schedule:\n  cron: '@daily'\n  environment: staging",
      "p.yaml:10:16: schedule.environment: unknown environment 'staging' (environments: dev, prod)"
    ),
    (
      "schedule:\n  cron: '@daily'\n  params: {regoin: eu}",
      "p.yaml:10:20: schedule.params.regoin: unknown parameter 'regoin' (did you mean 'region'?)"
    ),
    (
      "schedule:\n  cron: '@daily'\n  params: {region: asia}",
      "p.yaml:10:20: schedule.params.region: 'asia' is not one of: eu, us"
    ),
    (
      "schedule:\n  cron: '@daily'\n  params: {token: abc}",
      "p.yaml:10:19: schedule.params.token: 'token' is a secret parameter, and the command line "
        + "of a scheduled run (its crontab line or ExecStart=) can be read by every user of the "
        + "machine with ps while it runs; give it in the environment's env_file instead"
    ),
    (
      "schedule: {environment: prod}",
      "p.yaml:8:11: schedule.cron: is required"
    ),
    (
      "schedule: {cron: '@daily', env: prod}",
      "p.yaml:8:33: schedule.env: unknown field 'env'"
    ),
    (
      "schedule: [0 2 * * *]",
      "p.yaml:8:11: schedule: write a cron expression (\"0 2 * * *\") or a mapping "
        + "{cron: \"0 2 * * *\", environment: NAME, params: {NAME: VALUE}}"
    ),
  ])
  func mappingMistakesNameTheirFileLineAndField(_ schedule: String, _ message: String) throws {
    let error = try #require(rejection(Self.declarations + schedule))
    #expect(error.description == message)
  }
}
