import Foundation
import Testing

@testable import OrchestrateCore
@testable import OrchestrateExecution
@testable import OrchestrateStatus

/// What `status --notify` decides, apart from sending: which channels are
/// owed a message about which occurrence, and what it remembers afterwards.
@Suite struct StatusNotifierTests {
  /// Channel 0 hears the default events (recovery among them), channel 1
  /// only failures.
  let audience: StatusAudience
  let now = Date(timeIntervalSince1970: 1_800_000_000)

  init() throws {
    let pipeline = try PipelineLoader.parse(
      Data(
        """
        notify:
          - slack: {url_env: SLACK}
          - webhook: {url_env: HOOK}
            on: [failure]
        tasks: [{name: a, run: x}]
        """.utf8), file: "/tmp/p.yaml", defaultName: "p")
    audience = StatusAudience(
      pipeline: pipeline, environmentName: nil, channels: pipeline.notify.channels,
      variables: [:], refusalTold: false)
  }

  func occurrence(_ key: String, _ event: NotifyEvent) -> StatusNotifier.Occurrence {
    .init(key: key, event: event, headline: event.rawValue.uppercased(), reason: "\(key) now")
  }

  func alert(_ event: NotifyEvent, told channels: [String]) -> NotifyState.Alert {
    .init(event: event, since: now, text: "it happened", channels: channels)
  }

  func owed(
    _ current: [StatusNotifier.Occurrence], remembered: [String: NotifyState.Alert] = [:]
  ) -> [String] {
    StatusNotifier.owed(current, recoveries: remembered, of: "p", to: audience, host: "h")
      .map { "\($0.occurrence) \($0.content.event.rawValue) → \($0.channel)" }
  }

  @Test func anOccurrenceGoesToTheChannelsThatWantItsEventAndHaveNotHeardOfIt() {
    #expect(owed([occurrence("stuck:r1", .stuck)]) == ["stuck:r1 stuck → 0"])
    #expect(
      owed([occurrence("abandoned:r1", .failure)])
        == ["abandoned:r1 failure → 0", "abandoned:r1 failure → 1"])
    let told = ["abandoned:r1": alert(.failure, told: [audience.stateKey(0)])]
    #expect(
      owed([occurrence("abandoned:r1", .failure)], remembered: told)
        == ["abandoned:r1 failure → 1"])
  }

  @Test func aClearedProblemRecoversOnlyWhereItWasToldAndAFailureNever() {
    let remembered = [
      "missed:2026-12-01T02:00:00Z": alert(.missed, told: [audience.stateKey(0)]),
      "abandoned:r1": alert(.failure, told: [audience.stateKey(0), audience.stateKey(1)]),
      "stuck:r2": alert(.stuck, told: []),
    ]
    #expect(owed([], remembered: remembered) == ["missed:2026-12-01T02:00:00Z recovery → 0"])
  }

  @Test func stateRemembersWhoHeardAndKeepsAClearedProblemOnlyWhileARecoveryIsOwed() {
    let slack = audience.stateKey(0)
    var state = NotifyState()
    state.alerts = [
      "stuck:r1": alert(.stuck, told: []),
      "missed:a": alert(.missed, told: [slack]),
      "missed:b": alert(.missed, told: [slack]),
      "prod/missed:c": alert(.missed, told: [slack]),
    ]
    StatusNotifier.remember(
      [occurrence("stuck:r1", .stuck), occurrence("stale:r0", .missed)],
      delivered: ["stuck:r1": [slack], "missed:a": [slack]], failed: ["missed:b": [slack]],
      in: &state, now: now, mine: { !$0.contains("/") })
    #expect(state.alerts["stuck:r1"]?.channels == [slack])
    #expect(state.alerts["stale:r0"]?.channels == [])
    #expect(state.alerts["stale:r0"]?.since == now)
    #expect(state.alerts["missed:a"] == nil)
    #expect(state.alerts["missed:b"]?.channels == [slack])
    // Another environment's alerts are its own run of status to settle.
    #expect(state.alerts["prod/missed:c"] != nil)
  }
}
