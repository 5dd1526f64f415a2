import Foundation
import Testing

@testable import OrchestrateCore
@testable import OrchestrateExecution
@testable import OrchestrateRecords

/// How an attempt's end becomes a task's status and the words of its reason.
@Suite struct AttemptVerdictTests {
  let usage = ResourceUsage(peakRSSBytes: 0, userSeconds: 0, systemSeconds: 0)

  func verdict(_ status: TerminationStatus?, cancelled: Bool = false, timedOut: Bool = false)
    -> AttemptVerdict
  {
    AttemptVerdict(
      AttemptEnd(status: status, usage: usage, reason: "job 7 left the queue"),
      cancelled: cancelled, timedOut: timedOut)
  }

  /// "status: words", as the log's lines put them.
  func words(_ verdict: AttemptVerdict) -> String { "\(verdict.outcome.rawValue): \(verdict.how)" }

  @Test func statusesAndWords() {
    #expect(words(verdict(.exited(0))) == "completed: exit 0")
    #expect(words(verdict(.exited(3))) == "failed: exit 3")
    #expect(
      words(verdict(.signaled(SIGKILL), timedOut: true))
        == "timed_out: timed out (killed by SIGKILL)")
    #expect(words(verdict(.signaled(SIGTERM), cancelled: true)) == "cancelled: killed by SIGTERM")
    #expect(words(verdict(nil)) == "failed: job 7 left the queue")
  }

  @Test func reasonsOnceNoRetryFollows() {
    let failed = verdict(.exited(3))
    #expect(
      failed.reason(attempt: 1, stopReason: nil, runEnding: nil, finallyAfter: nil) == "exit 3")
    #expect(
      failed.reason(attempt: 3, stopReason: nil, runEnding: nil, finallyAfter: nil)
        == "exit 3 after 3 attempts")
    let cancelled = verdict(.signaled(SIGTERM), cancelled: true)
    #expect(
      cancelled.reason(attempt: 1, stopReason: nil, runEnding: "received SIGINT", finallyAfter: nil)
        == "received SIGINT")
    let cleanup = verdict(.exited(0))
    #expect(
      cleanup.reason(
        attempt: 1, stopReason: nil, runEnding: "received SIGINT", finallyAfter: "received SIGINT")
        == "ran after received SIGINT because run_if: always")
  }

  @Test func aTaskCountsEveryAttemptsResources() {
    var task = TaskRecord(name: "t", task: "t", source: nil, dependsOn: [], logFile: "t.log")
    for (peak, cpu, code) in [(300, 1.5, Int32(1)), (200, 0.5, 0)] {
      var attempt = AttemptRecord(number: 1, startedAt: Date())
      attempt.close(
        AttemptEnd(
          status: .exited(code),
          usage: ResourceUsage(peakRSSBytes: peak, userSeconds: cpu, systemSeconds: 0.25)),
        at: Date(), durationSeconds: 2, timedOut: false)
      task.count(attempt)
    }
    #expect(task.exitCode == 0)
    #expect(task.peakRssBytes == 300)
    #expect(task.cpuUserSeconds == 2)
    #expect(task.cpuSystemSeconds == 0.5)
  }
}
