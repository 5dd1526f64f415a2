import FoundationEssentials

/// A cron expression in a time zone: the moments it is due, computed as
/// Vixie cron runs jobs. When clocks go forward, a fixed-time job whose time
/// was skipped runs once, at the change; when they go back, it runs once, at
/// the first of the two times. A wildcard job (`*` in its minute or hour
/// field) follows the clock: skipped times do not run, repeated ones run
/// twice.
public struct CronSchedule: Sendable {
  public var expression: CronExpression
  public var timeZone: ZoneInfo

  /// How far the due-time search looks: beyond every leap-day weekday cycle.
  static let searchDays = 60 * 366

  public init(expression: CronExpression, timeZone: ZoneInfo) {
    self.expression = expression
    self.timeZone = timeZone
  }

  /// The first due time strictly after `date`; nil if it never runs.
  public func next(after date: Date) -> Date? {
    let seconds = date.timeIntervalSince1970
    var day = localDay(of: seconds) - 1
    for _ in 0..<Self.searchDays {
      if let due = dueTimes(onDay: day).first(where: { Double($0) > seconds }) {
        return Date(timeIntervalSince1970: Double(due))
      }
      day += 1
    }
    return nil
  }

  /// The last due time strictly before `date`; nil if it never ran.
  public func previous(before date: Date) -> Date? {
    let seconds = date.timeIntervalSince1970
    var day = localDay(of: seconds) + 1
    for _ in 0..<Self.searchDays {
      if let due = dueTimes(onDay: day).last(where: { Double($0) < seconds }) {
        return Date(timeIntervalSince1970: Double(due))
      }
      day -= 1
    }
    return nil
  }

  /// The `count` due times after `date`.
  public func next(_ count: Int, after date: Date) -> [Date] {
    var times: [Date] = []
    var cursor = date
    while times.count < count, let due = next(after: cursor) {
      times.append(due)
      cursor = due
    }
    return times
  }

  /// The local calendar day (days since 1970-01-01) at `seconds`.
  private func localDay(of seconds: Double) -> Int {
    let local = Int(seconds.rounded(.down)) + offset(at: Int(seconds.rounded(.down)))
    return CivilDay.daysSinceEpoch(ofSecond: local)
  }

  private func offset(at seconds: Int) -> Int {
    timeZone.secondsFromGMT(at: seconds)
  }

  /// The moments (seconds since 1970) at which the job is due for the
  /// wall-clock times of one local day, in order.
  func dueTimes(onDay day: Int) -> [Int] {
    let civil = CivilDay(daysSinceEpoch: day)
    guard
      expression.matches(
        month: civil.month, day: civil.day, weekday: CivilDay.weekday(daysSinceEpoch: day))
    else { return [] }
    let midnight = day * 86400
    // The offsets in force around the day; equal on all but a few days a year.
    let before = offset(at: midnight - 14 * 3600)
    let after = offset(at: midnight + 86400 + 14 * 3600)
    let walls = expression.timesOfDay.map { midnight + $0 * 60 }
    guard before != after else { return walls.map { $0 - before } }
    var moments: [Int] = []
    for wall in walls {
      let candidates = Set(
        [before, after].map { wall - $0 }.filter { offset(at: $0) == wall - $0 }
      )
      .sorted()
      switch candidates.count {
      case 0:
        // Skipped by a change forward: fixed-time jobs run at the change.
        if !expression.isWildcard {
          moments.append(
            changeMoment(from: wall - max(before, after), to: wall - min(before, after)))
        }
      case 1: moments.append(candidates[0])
      default:
        // Repeated by a change back: fixed-time jobs run the first time only.
        moments += expression.isWildcard ? candidates : [candidates[0]]
      }
    }
    return Set(moments).sorted()
  }

  /// The first second at which the offset of `high` is in force, the offset
  /// of `low` being the one before.
  private func changeMoment(from low: Int, to high: Int) -> Int {
    let later = offset(at: high)
    var (low, high) = (low, high)
    while high - low > 1 {
      let middle = low + (high - low) / 2
      if offset(at: middle) == later { high = middle } else { low = middle }
    }
    return high
  }
}
