import Foundation
import Testing

@testable import OrchestrateCore
@testable import OrchestrateStatus

/// `notify:` as the files write it: `on` read as a key in YAML (bare or
/// quoted) and JSON (either way of reading it), defaults, and one clear
/// error for each mistake.
@Suite struct NotifyConfigurationTests {
  static let yaml = """
    notify:
      - slack: {url_env: SLACK_WEBHOOK_URL}
        on: [failure, recovery]
      - webhook: {url_env: HOOK, headers_env: {Authorization: HOOK_AUTH}}
        "on": [failure, partial, recovery, success, start, anomaly, missed, stuck, paused, stuck_items]
        every_run: true
      - email: {to: [etl-oncall@example.org], from: orchestrate@host}
        repeat: never
      - ping: {url_env: HC_PING_URL}
    notify_timeout: 45s
    tasks: [{name: a, run: 'true'}]
    """

  func check(_ pipeline: Pipeline) {
    let channels = pipeline.notify.channels
    #expect(channels.count == 4)
    #expect(channels[0].kind == .slack(urlVariable: "SLACK_WEBHOOK_URL"))
    #expect(channels[0].events == [.failure, .recovery])
    #expect(channels[0].repeatAfter == .seconds(86400))
    #expect(
      channels[1].kind
        == .webhook(urlVariable: "HOOK", headerVariables: ["Authorization": "HOOK_AUTH"]))
    #expect(channels[1].events == Set(NotifyEvent.subscribable))
    #expect(channels[1].everyRun)
    #expect(
      channels[2].kind
        == .email(
          to: ["etl-oncall@example.org"], from: "orchestrate@host", sendmail: "/usr/sbin/sendmail"))
    #expect(channels[2].events == [.failure, .partial, .recovery, .missed, .stuck])
    #expect(channels[2].repeatAfter == nil)
    #expect(channels[3].events == [.start, .success, .partial, .failure] && channels[3].everyRun)
    #expect(pipeline.notify.timeout == .seconds(45))
  }

  @Test func onIsAKeyInYAML() throws {
    check(try parse(Self.yaml))
  }

  @Test func onIsAKeyInJSONBothWays() throws {
    let json = """
      {"notify": [
        {"slack": {"url_env": "SLACK_WEBHOOK_URL"}, "on": ["failure", "recovery"]},
        {"webhook": {"url_env": "HOOK", "headers_env": {"Authorization": "HOOK_AUTH"}},
         "on": ["failure", "partial", "recovery", "success", "start", "anomaly", "missed", "stuck", "paused",
           "stuck_items"],
         "every_run": true},
        {"email": {"to": ["etl-oncall@example.org"], "from": "orchestrate@host"}, "repeat": "never"},
        {"ping": {"url_env": "HC_PING_URL"}}],
       "notify_timeout": 45,
       "tasks": [{"name": "a", "run": "true"}]}
      """
    // JSON is YAML too: read as either, `on` stays a key.
    for file in ["p.json", "p.yaml"] {
      check(try PipelineLoader.parse(Data(json.utf8), file: file, defaultName: "p"))
    }
  }

  @Test func anEnvironmentsChannelsReplaceThePipelines() throws {
    let pipeline = try parse(
      """
      default_environment: prod
      environments:
        prod: {}
        staging:
          notify:
            - webhook: {url_env: STAGING_HOOK}
        dev: {}
      notify:
        - slack: {url_env: SLACK}
      tasks: [{name: a, run: 'true'}]
      """)
    #expect(pipeline.notify.channels(for: nil, in: pipeline).count == 1)
    #expect(pipeline.notify.channels(for: "prod", in: pipeline) == pipeline.notify.channels)
    #expect(
      pipeline.notify.channels(for: "staging", in: pipeline).map(\.kind)
        == [.webhook(urlVariable: "STAGING_HOOK", headerVariables: [:])])
    #expect(pipeline.notify.channels(for: "dev", in: pipeline).isEmpty)
  }

  @Test func aStopLeavesTimeForTheNotifications() throws {
    let pipeline = try parse(
      """
      schedule: '30 2 * * *'
      finally_timeout: 10m
      notify_timeout: 20s
      notify: [{slack: {url_env: S}}]
      tasks: [{name: a, run: 'true', kill_grace: 2m}]
      """)
    let scheduled = try #require(
      ScheduledPipeline(pipeline, root: "/srv/etl", binary: "/bin/orchestrate"))
    #expect(scheduled.stopSeconds == 740)
  }

  @Test(arguments: [
    (
      "notify: [{slack: {url: 'https://hooks.slack.com/x'}}]",
      "notify[0].slack.url: URLs are secrets and are not written in the pipeline file"
    ),
    (
      "notify: [{webhook: {url_env: H, headers: {Authorization: x}}}]",
      "notify[0].webhook.headers: header values are secrets"
    ),
    ("notify: [{slack: {}}]", "notify[0].slack: needs url_env"),
    (
      "notify: [{slack: {url_env: 'A B'}}]",
      "notify[0].slack.url_env: 'A B' is not an environment variable name"
    ),
    (
      "notify: [{slack: {url_env: S}, webhook: {url_env: W}}]",
      "notify[0]: has webhook and slack; write one channel per entry"
    ),
    ("notify: [{on: [failure]}]", "notify[0]: needs one of: webhook, slack, email, ping"),
    (
      "notify: [{slack: {url_env: S}, on: [falure]}]",
      "notify[0].on: 'falure' is not an event (did you mean 'failure'?)"
    ),
    (
      "notify: [{slack: {url_env: S}, on: [failed]}]",
      "notify[0].on: 'failed' is not an event (events: start, success, partial, failure,"
    ),
    ("notify: [{ping: {url_env: P}, on: [missed]}]", "notify[0].on: a ping reports runs only"),
    ("notify: [{email: {to: []}}]", "notify[0].email.to: needs at least one address"),
    ("notify: [{email: {to: ['a b@x']}}]", "notify[0].email: 'a b@x' is not an email address"),
    ("notify: [{slack: {url_env: S}, repeat: soon}]", "'soon' is not a duration"),
    (
      "notify: [{slack: {url_env: S}, every_ran: true}]",
      "unknown field 'every_ran' (did you mean 'every_run'?)"
    ),
    ("notify_timeout: never", "notify_timeout: cannot be 'never'"),
  ])
  func mistakesAreNamed(_ notify: String, _ message: String) throws {
    let error = try #require(rejection("\(notify)\ntasks: [{name: a, run: 'true'}]"))
    #expect(error.description.contains(message), "\(error.description)")
  }
}
