import Testing

@testable import OrchestrateExecution

/// The arithmetic of timeouts that do not count paused time: when a
/// timeout's timer fires, how much longer it waits, or whether it expires.
@Suite struct PausedTimeTests {
  let zero = ContinuousClock.now

  func at(_ seconds: Double) -> ContinuousClock.Instant { zero + .seconds(seconds) }

  @Test func pausedTimeCountsEndedPausesAndTheOneGoingOn() {
    var paused = PausedTime()
    #expect(paused.total(at: at(10)) == .zero)
    paused.pause(at: at(1))
    #expect(paused.isPaused)
    #expect(paused.total(at: at(3)) == .seconds(2))
    // A second pause request while paused changes nothing.
    paused.pause(at: at(2))
    #expect(paused.resume(at: at(4)) == .seconds(3))
    #expect(!paused.isPaused)
    #expect(paused.total(at: at(9)) == .seconds(3))
    paused.pause(at: at(10))
    #expect(paused.total(at: at(10.5)) == .seconds(3.5))
    #expect(paused.resume(at: at(12)) == .seconds(2))
    #expect(paused.ended == .seconds(5))
    // Resuming a run that is not paused is nothing.
    #expect(paused.resume(at: at(13)) == .zero)
  }

  @Test func withoutAPauseATimeoutExpiresWhenItsTimerFires() {
    let paused = PausedTime()
    var deadline = ActiveDeadline(length: .seconds(5), at: at(0), paused: paused)
    #expect(deadline.check(at: at(5), paused: paused) == .expire)
    // Timers a test moves on fire before the clock says so: still expired.
    var early = ActiveDeadline(length: .seconds(5), at: at(0), paused: paused)
    #expect(early.check(at: at(0.001), paused: paused) == .expire)
  }

  @Test func aPauseThatEndedBeforeTheTimerFiresMovesTheTimeoutOnByItsLength() {
    var paused = PausedTime()
    var deadline = ActiveDeadline(length: .seconds(5), at: at(0), paused: paused)
    paused.pause(at: at(1))
    paused.resume(at: at(3))
    // Due at 5 + 2.
    #expect(deadline.check(at: at(5), paused: paused) == .wait(.seconds(2)))
    #expect(deadline.due == at(7))
    #expect(deadline.check(at: at(7), paused: paused) == .expire)
  }

  @Test func aTimerThatFiresWhilePausedWaitsForTheResumeThenForWhatWasLeft() {
    var paused = PausedTime()
    var deadline = ActiveDeadline(length: .seconds(5), at: at(0), paused: paused)
    paused.pause(at: at(3))
    #expect(deadline.check(at: at(5), paused: paused) == .waitForResume)
    paused.resume(at: at(7))
    // 3 s ran before the pause: 2 s are left after the resume, due at 9.
    #expect(deadline.check(at: at(7), paused: paused) == .wait(.seconds(2)))
    #expect(deadline.check(at: at(9), paused: paused) == .expire)
  }

  @Test func aPauseDuringTheExtraTimeMovesItOnAgain() {
    var paused = PausedTime()
    var deadline = ActiveDeadline(length: .seconds(10), at: at(0), paused: paused)
    paused.pause(at: at(2))
    paused.resume(at: at(5))
    #expect(deadline.check(at: at(10), paused: paused) == .wait(.seconds(3)))
    paused.pause(at: at(11))
    paused.resume(at: at(12))
    // Due at 13, moved on by the second pause's second: 14.
    #expect(deadline.check(at: at(13), paused: paused) == .wait(.seconds(1)))
    #expect(deadline.check(at: at(14), paused: paused) == .expire)
  }

  @Test func aPauseBeforeTheTimeoutWasSetDoesNotExtendIt() {
    var paused = PausedTime()
    paused.pause(at: at(0))
    paused.resume(at: at(100))
    var deadline = ActiveDeadline(length: .seconds(5), at: at(200), paused: paused)
    #expect(deadline.check(at: at(205), paused: paused) == .expire)
  }

  @Test func aTimerLateBeyondTheExtendedDueTimeExpiresAtOnce() {
    var paused = PausedTime()
    var deadline = ActiveDeadline(length: .seconds(5), at: at(0), paused: paused)
    paused.pause(at: at(1))
    paused.resume(at: at(2))
    // The machine was busy: the timer fires at 8, past the due time of 6.
    #expect(deadline.check(at: at(8), paused: paused) == .expire)
  }
}
