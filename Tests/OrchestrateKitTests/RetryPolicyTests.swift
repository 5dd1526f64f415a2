import Testing

@testable import OrchestrateExecution
@testable import OrchestrateStatus

@Suite struct RetryPolicyTests {
  let policy = RetryPolicy(retries: 3, delay: .seconds(10), backoff: 2)

  @Test func waitsGrowByTheBackoffUntilTheRetriesAreSpent() {
    let waits = (1...4).map { policy.delay(after: $0, outcome: .failed, cancelled: false) }
    #expect(waits == [10, 20, 40, nil])
  }

  @Test func onlyFailuresAndTimeoutsAreRetriedAndNeverInACancelledRun() {
    #expect(policy.delay(after: 1, outcome: .timedOut, cancelled: false) == 10)
    for outcome in [TaskStatus.completed, .cancelled, .skipped, .notWanted] {
      #expect(policy.delay(after: 1, outcome: outcome, cancelled: false) == nil, "\(outcome)")
    }
    #expect(policy.delay(after: 1, outcome: .failed, cancelled: true) == nil)
  }

  @Test func noWaitIsLongerThanTheLongestDurationAFileMayGive() {
    let steep = RetryPolicy(retries: 100, delay: .seconds(86400), backoff: 100)
    #expect(
      steep.delay(after: 100, outcome: .failed, cancelled: false) == DurationText.maximum.seconds)
  }

  @Test func noRetriesMeansOneAttempt() {
    let once = RetryPolicy(retries: 0, delay: .seconds(1), backoff: 1)
    #expect(once.delay(after: 1, outcome: .failed, cancelled: false) == nil)
  }
}
