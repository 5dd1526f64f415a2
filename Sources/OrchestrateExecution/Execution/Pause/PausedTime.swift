/// The time a run has spent paused, by the monotonic clock: pauses that
/// ended, and the one going on. Timeouts are extended by it.
struct PausedTime: Sendable, Equatable {
  /// The pauses that ended, together.
  private(set) var ended: Duration = .zero
  /// When the current pause began; nil while the run is not paused.
  private(set) var since: ContinuousClock.Instant?

  var isPaused: Bool { since != nil }

  /// Everything paused up to `now`, the current pause included.
  func total(at now: ContinuousClock.Instant) -> Duration {
    ended + (since.map { max(.zero, now - $0) } ?? .zero)
  }

  mutating func pause(at now: ContinuousClock.Instant) {
    guard since == nil else { return }
    since = now
  }

  /// Ends the current pause; returns how long it lasted.
  @discardableResult
  mutating func resume(at now: ContinuousClock.Instant) -> Duration {
    guard let since else { return .zero }
    let length = max(.zero, now - since)
    ended += length
    self.since = nil
    return length
  }
}

/// A timeout that counts only the time the run was not paused. Its timer is
/// set for the nominal length; when it fires, the deadline is moved on by
/// whatever was paused since it was set (a pause can happen again in that
/// extra time, so it may be moved on more than once). The timer of a paused
/// run waits for the resume.
struct ActiveDeadline: Sendable, Equatable {
  /// When it was set, and the run's paused total then.
  let setAt: ContinuousClock.Instant
  let length: Duration
  let pausedBefore: Duration
  /// How far it has been moved on already.
  private(set) var extended: Duration = .zero

  init(length: Duration, at now: ContinuousClock.Instant, paused: PausedTime) {
    setAt = now
    self.length = length
    pausedBefore = paused.total(at: now)
  }

  /// When it is due now, with every pause so far counted.
  var due: ContinuousClock.Instant { setAt + length + extended }

  enum Check: Equatable {
    /// The time is up.
    case expire
    /// Paused time moved it on: look again after this long.
    case wait(Duration)
    /// The run is paused: look again when it resumes.
    case waitForResume
  }

  /// What its timer does when it fires at `now` (or when the run resumes).
  /// A timer that fires with no pause since the deadline was set expires at
  /// once, whatever the clock says, so timers that a test moves on behave
  /// as before.
  mutating func check(at now: ContinuousClock.Instant, paused: PausedTime) -> Check {
    if paused.isPaused { return .waitForResume }
    let owed = paused.total(at: now) - pausedBefore - extended
    guard owed > .zero else { return .expire }
    extended += owed
    let left = due - now
    return left > .zero ? .wait(left) : .expire
  }
}
