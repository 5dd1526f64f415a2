/// A POSIX TZ rule (`CET-1CEST,M3.5.0,M10.5.0/3`): a standard offset and,
/// optionally, a daylight offset with the yearly moments it starts and ends.
/// The tz database ends each file with one, for times after its last
/// transition. Offsets here are seconds east of UTC (POSIX writes them west).
struct PosixZoneRule: Sendable, Equatable {
  var standardOffset: Int
  var daylight: Daylight?

  struct Daylight: Sendable, Equatable {
    var offset: Int
    var start: YearlyMoment
    var end: YearlyMoment
  }

  /// A day of the year and a time on it, local time.
  struct YearlyMoment: Sendable, Equatable {
    enum Day: Sendable, Equatable {
      /// `Jn`: day 1...365, February 29 never counted.
      case julianWithoutLeapDay(Int)
      /// `n`: day 0...365, February 29 counted.
      case zeroBasedDay(Int)
      /// `Mm.w.d`: weekday `d` (0 = Sunday) of week `w` (5 = last) of month `m`.
      case monthWeekDay(month: Int, week: Int, weekday: Int)
    }
    var day: Day
    var secondsIntoDay: Int

    /// Days since 1970 of this moment's day in `year`.
    func daysSinceEpoch(in year: Int) -> Int {
      let january1 = CivilDay.daysSinceEpoch(year: year, month: 1, day: 1)
      switch day {
      case .julianWithoutLeapDay(let n):
        return january1 + n - 1 + (CivilDay.isLeapYear(year) && n >= 60 ? 1 : 0)
      case .zeroBasedDay(let n):
        return january1 + n
      case .monthWeekDay(let month, let week, let weekday):
        let first = CivilDay.daysSinceEpoch(year: year, month: month, day: 1)
        var day =
          first + (weekday - CivilDay.weekday(daysSinceEpoch: first) + 7) % 7 + (week - 1) * 7
        while day >= first + CivilDay.daysIn(month: month, year: year) { day -= 7 }
        return day
      }
    }
  }

  func offset(at seconds: Int64) -> Int {
    guard let daylight else { return standardOffset }
    let local = Int(seconds) + standardOffset
    let year = CivilDay(daysSinceEpoch: CivilDay.daysSinceEpoch(ofSecond: local)).year
    // The start is written in standard time, the end in daylight time.
    let start =
      Int64(daylight.start.daysSinceEpoch(in: year)) * 86400
      + Int64(daylight.start.secondsIntoDay - standardOffset)
    let end =
      Int64(daylight.end.daysSinceEpoch(in: year)) * 86400
      + Int64(daylight.end.secondsIntoDay - daylight.offset)
    let inDaylight =
      start < end ? (start <= seconds && seconds < end) : !(end <= seconds && seconds < start)
    return inDaylight ? daylight.offset : standardOffset
  }
}

extension PosixZoneRule {
  /// Parses a rule; nil when `text` is not one.
  init?(_ text: String) {
    var scanner = RuleScanner(Array(text.utf8))
    guard scanner.name(), let standardWest = scanner.offset() else { return nil }
    standardOffset = -standardWest
    if scanner.atEnd {
      daylight = nil
      return
    }
    guard scanner.name() else { return nil }
    var daylightOffset = standardOffset + 3600
    if !scanner.peek(","), let west = scanner.offset() { daylightOffset = -west }
    let start: YearlyMoment
    let end: YearlyMoment
    if scanner.atEnd {
      // No rule given: POSIX leaves it to the implementation; glibc uses the US rule.
      start = YearlyMoment(day: .monthWeekDay(month: 3, week: 2, weekday: 0), secondsIntoDay: 7200)
      end = YearlyMoment(day: .monthWeekDay(month: 11, week: 1, weekday: 0), secondsIntoDay: 7200)
    } else {
      guard scanner.take(","), let first = scanner.moment(), scanner.take(","),
        let second = scanner.moment(), scanner.atEnd
      else { return nil }
      (start, end) = (first, second)
    }
    daylight = Daylight(offset: daylightOffset, start: start, end: end)
  }
}

/// Reads the parts of a POSIX TZ rule from left to right.
private struct RuleScanner {
  let bytes: [UInt8]
  var index = 0

  init(_ bytes: [UInt8]) { self.bytes = bytes }

  var atEnd: Bool { index == bytes.count }

  func peek(_ character: Character) -> Bool {
    !atEnd && bytes[index] == character.asciiValue!
  }

  mutating func take(_ character: Character) -> Bool {
    guard peek(character) else { return false }
    index += 1
    return true
  }

  /// A zone abbreviation: three or more letters, or anything in `<…>`.
  mutating func name() -> Bool {
    if take("<") {
      guard let close = bytes[index...].firstIndex(of: UInt8(ascii: ">")), close > index else {
        return false
      }
      index = close + 1
      return true
    }
    let start = index
    while !atEnd, (bytes[index] | 0x20) >= UInt8(ascii: "a"),
      (bytes[index] | 0x20) <= UInt8(ascii: "z")
    {
      index += 1
    }
    return index - start >= 3
  }

  /// `[+-]hh[:mm[:ss]]` in seconds.
  mutating func offset() -> Int? {
    let negative = take("-")
    if !negative { _ = take("+") }
    guard let hours = number() else { return nil }
    var seconds = hours * 3600
    if take(":") {
      guard let minutes = number() else { return nil }
      seconds += minutes * 60
      if take(":") {
        guard let rest = number() else { return nil }
        seconds += rest
      }
    }
    return negative ? -seconds : seconds
  }

  /// `Jn`, `n` or `Mm.w.d`, then an optional `/time` (default 02:00).
  mutating func moment() -> PosixZoneRule.YearlyMoment? {
    let day: PosixZoneRule.YearlyMoment.Day
    if take("J") {
      guard let n = number(), (1...365).contains(n) else { return nil }
      day = .julianWithoutLeapDay(n)
    } else if take("M") {
      guard let month = number(), take("."), let week = number(), take("."),
        let weekday = number(), (1...12).contains(month), (1...5).contains(week),
        (0...6).contains(weekday)
      else { return nil }
      day = .monthWeekDay(month: month, week: week, weekday: weekday)
    } else {
      guard let n = number(), (0...365).contains(n) else { return nil }
      day = .zeroBasedDay(n)
    }
    var time = 7200
    if take("/") {
      guard let seconds = offset() else { return nil }
      time = seconds
    }
    return .init(day: day, secondsIntoDay: time)
  }

  private mutating func number() -> Int? {
    let start = index
    var value = 0
    while !atEnd, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9"),
      index - start < 3
    {
      value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
      index += 1
    }
    return index > start ? value : nil
  }
}
