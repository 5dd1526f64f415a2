import FoundationEssentials

/// A moment as `runs --since` and `--until` take it: a duration back from
/// now (`14d`, `36h`, `1h30m`), a day (`2026-11-20`, the machine's local
/// day: its start for `--since`, its end for `--until`), or a time
/// (`2026-11-20T02:00`, local; with `Z` or `+01:00`, as written).
package enum TimeBound {
  package enum Edge {
    /// A day stands for its first moment.
    case start
    /// A day stands for the moment after its last: the next day's start.
    case end
  }

  /// Spelled in the messages that refuse a value.
  package static let forms =
    "a date (2026-11-20), a time (2026-11-20T02:00, 2026-11-20T02:00:00Z) or a duration back from now (14d, 36h)"

  package static func parse(_ text: String, edge: Edge, now: Date, zone: ZoneInfo) -> Date? {
    let text = text.trimmed
    if let day = day(text) {
      return Date(
        timeIntervalSince1970: Double(localMidnight(day + (edge == .end ? 1 : 0), zone: zone)))
    }
    if let seconds = durationSeconds(text) { return now.addingTimeInterval(-seconds) }
    return moment(text, zone: zone)
  }

  /// Days since 1970 of `YYYY-MM-DD`, a real calendar date.
  static func day(_ text: some StringProtocol) -> Int? {
    LogicalDate.parse(String(text)).map { Int($0.timeIntervalSince1970) / 86400 }
  }

  /// A duration with a unit: a plain number could mean days or seconds.
  static func durationSeconds(_ text: String) -> Double? {
    guard let last = text.last, last.isLetter, case .success(let duration) = DurationText.read(text)
    else { return nil }
    return duration.seconds
  }

  /// `YYYY-MM-DD[T| ]HH:MM[:SS[.fff]][Z|±HH:MM|±HHMM]`.
  static func moment(_ text: String, zone: ZoneInfo) -> Date? {
    let characters = Array(text)
    guard characters.count >= 16, characters[10] == "T" || characters[10] == " ",
      let day = day(String(characters[0..<10]))
    else { return nil }
    var rest = characters[11...]
    func number(_ digits: Int, below limit: Int) -> Int? {
      let taken = rest.prefix(digits)
      guard taken.count == digits, taken.allSatisfy(\.isASCII), let value = Int(String(taken)),
        taken.allSatisfy(\.isNumber), value < limit
      else { return nil }
      rest = rest.dropFirst(digits)
      return value
    }
    guard let hour = number(2, below: 24), rest.popFirst() == ":",
      let minute = number(2, below: 60)
    else { return nil }
    var second = 0.0
    if rest.first == ":" {
      rest = rest.dropFirst()
      guard let whole = number(2, below: 61) else { return nil }
      second = Double(whole)
      if rest.first == "." {
        rest = rest.dropFirst()
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let fraction = Double("0." + String(digits)) else { return nil }
        second += fraction
        rest = rest.dropFirst(digits.count)
      }
    }
    let wall = day * 86400 + hour * 3600 + minute * 60
    let offset: Int
    switch rest.first {
    case nil: offset = localOffset(wall: wall, zone: zone)
    case "Z" where rest.count == 1: offset = 0
    case "+", "-":
      let sign = rest.popFirst() == "+" ? 1 : -1
      guard let hours = number(2, below: 24) else { return nil }
      if rest.first == ":" { rest = rest.dropFirst() }
      guard let minutes = number(2, below: 60), rest.isEmpty else { return nil }
      offset = sign * (hours * 3600 + minutes * 60)
    default: return nil
    }
    return Date(timeIntervalSince1970: Double(wall - offset) + second)
  }

  /// Seconds since 1970 at which local day `day` begins.
  static func localMidnight(_ day: Int, zone: ZoneInfo) -> Int {
    let wall = day * 86400
    return wall - localOffset(wall: wall, zone: zone)
  }

  /// The offset in force at a local wall-clock time (seconds since 1970 as
  /// if the zone were UTC): the offset at a first guess of the moment, then
  /// at the moment that guess gives, which settles across a change.
  static func localOffset(wall: Int, zone: ZoneInfo) -> Int {
    let guess = wall - zone.secondsFromGMT(at: wall)
    return zone.secondsFromGMT(at: guess)
  }
}
