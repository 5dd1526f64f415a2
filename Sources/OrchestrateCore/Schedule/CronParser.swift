/// Why a cron expression cannot be read, and where: `offset` counts
/// characters from the start of the expression, so the loader can point at
/// the exact column.
public struct CronSyntaxError: Error, Equatable, CustomStringConvertible {
  public var offset: Int
  public var message: String

  public var description: String { message }
}

extension CronExpression {
  /// Reads `text` as Vixie cron does, refusing what it would misread or
  /// never run (`0 0 30 2 *`).
  public init(parsing text: String) throws(CronSyntaxError) {
    let characters = Array(text)
    let words = Self.words(characters)
    if words.count == 1, characters[words[0].lowerBound] == "@" {
      let macro = String(characters[words[0]]).lowercased()
      guard let expansion = Self.macros[macro] else {
        let message =
          macro == "@reboot"
          ? "@reboot is not a schedule: it runs when cron starts"
          : "unknown macro '\(macro)' (use @hourly, @daily, @midnight, @weekly, @monthly, "
            + "@yearly or @annually)"
        throw CronSyntaxError(offset: words[0].lowerBound, message: message)
      }
      let expanded = try CronExpression(parsing: expansion)
      self = CronExpression(text: text, copying: expanded)
      return
    }
    guard words.count == 5 else {
      throw CronSyntaxError(
        offset: words.count > 5 ? words[5].lowerBound : 0,
        message: "expected 5 fields (minute hour day-of-month month day-of-week) or a macro "
          + "such as @daily, found \(words.count)")
    }
    self.text = text
    func field(_ index: Int) throws(CronSyntaxError) -> UInt64 {
      try CronField.all[index].parse(characters, words[index])
    }
    minutes = try field(0)
    hours = UInt32(try field(1))
    daysOfMonth = UInt32(try field(2))
    months = UInt16(try field(3))
    let weekdays = try field(4)
    // 7 is Sunday too.
    daysOfWeek = UInt8((weekdays | (weekdays >> 7)) & 0x7F)
    func isStar(_ index: Int) -> Bool { characters[words[index].lowerBound] == "*" }
    dayOfMonthIsStar = isStar(2)
    dayOfWeekIsStar = isStar(4)
    isWildcard = isStar(0) || isStar(1)
    if dayOfWeekIsStar, let day = Self.impossibleDay(daysOfMonth, months) {
      throw CronSyntaxError(
        offset: words[2].lowerBound,
        message: "day-of-month \(day) never occurs in the months given, so this never runs")
    }
  }

  private init(text: String, copying other: CronExpression) {
    self.text = text
    minutes = other.minutes
    hours = other.hours
    daysOfMonth = other.daysOfMonth
    months = other.months
    daysOfWeek = other.daysOfWeek
    dayOfMonthIsStar = other.dayOfMonthIsStar
    dayOfWeekIsStar = other.dayOfWeekIsStar
    isWildcard = other.isWildcard
  }

  /// Ranges of the whitespace-separated words.
  private static func words(_ characters: [Character]) -> [Range<Int>] {
    var words: [Range<Int>] = []
    var start: Int?
    for (index, character) in characters.enumerated() {
      if character == " " || character == "\t" {
        if let begin = start { words.append(begin..<index) }
        start = nil
      } else if start == nil {
        start = index
      }
    }
    if let begin = start { words.append(begin..<characters.count) }
    return words
  }

  /// The smallest listed day of month when none of the listed days exists
  /// in any listed month (29 February exists).
  private static func impossibleDay(_ days: UInt32, _ months: UInt16) -> Int? {
    let longest =
      members(UInt64(months), 1...12).map { CivilDay.daysIn(month: $0, leap: true) }
      .max() ?? 31
    let listed = members(UInt64(days), 1...31)
    return listed.allSatisfy { $0 > longest } ? listed.first : nil
  }
}

/// One of the five fields: its name in messages, its range and the names
/// its values may be written as.
struct CronField {
  var name: String
  var range: ClosedRange<Int>
  /// Three-letter names, the first standing for `range.lowerBound`.
  var names: [String] = []

  static let all = [
    CronField(name: "minute", range: 0...59),
    CronField(name: "hour", range: 0...23),
    CronField(name: "day-of-month", range: 1...31),
    CronField(
      name: "month", range: 1...12,
      names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]),
    CronField(
      name: "day-of-week", range: 0...7,
      names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]),
  ]

  /// A comma-separated list of `*`, values and ranges, each with an
  /// optional `/step`, as a bit set.
  func parse(_ text: [Character], _ word: Range<Int>) throws(CronSyntaxError) -> UInt64 {
    var bits: UInt64 = 0
    var start = word.lowerBound
    for index in word.lowerBound...word.upperBound
    where index == word.upperBound || text[index] == "," {
      bits |= try item(text, start..<index)
      start = index + 1
    }
    return bits
  }

  private func item(_ text: [Character], _ item: Range<Int>) throws(CronSyntaxError) -> UInt64 {
    guard !item.isEmpty else {
      throw CronSyntaxError(offset: item.lowerBound, message: "\(name): empty item in the list")
    }
    let slash = text[item].firstIndex(of: "/")
    let base = item.lowerBound..<(slash ?? item.upperBound)
    var low = range.lowerBound
    var high = range.upperBound
    let isRange: Bool
    if text[base] == ["*"] {
      isRange = true
    } else if let dash = text[base].firstIndex(of: "-") {
      low = try value(text, base.lowerBound..<dash)
      high = try value(text, (dash + 1)..<base.upperBound)
      // `sat-sun`: Sunday as the end of a week range is its 7, not its 0.
      if range.upperBound == 7 && high == 0 && low > 0 { high = 7 }
      guard low <= high else {
        throw CronSyntaxError(
          offset: base.lowerBound,
          message: "\(name) range \(low)-\(high) runs backwards (write \(high)-\(low)?)")
      }
      isRange = true
    } else {
      low = try value(text, base)
      high = low
      isRange = false
    }
    var step = 1
    if let slash {
      guard isRange else {
        throw CronSyntaxError(
          offset: slash,
          message: "\(name): a step needs a range or '*' (write \(low)-\(range.upperBound)"
            + "\(String(text[slash..<item.upperBound])))")
      }
      let digits = (slash + 1)..<item.upperBound
      guard let parsed = Int(String(text[digits])), parsed > 0, !digits.isEmpty else {
        throw CronSyntaxError(
          offset: slash + 1,
          message: "\(name) step '\(String(text[digits]))' is not a whole number of at least 1")
      }
      step = parsed
    }
    var bits: UInt64 = 0
    for value in stride(from: low, through: high, by: step) { bits |= 1 << UInt64(value) }
    return bits
  }

  private func value(_ text: [Character], _ part: Range<Int>) throws(CronSyntaxError) -> Int {
    let word = String(text[part])
    if let number = Int(word), word.allSatisfy(\.isASCII) {
      guard range.contains(number) else {
        throw CronSyntaxError(
          offset: part.lowerBound,
          message: "\(name) \(number) is out of range \(range.lowerBound)-\(range.upperBound)")
      }
      return number
    }
    if let index = names.firstIndex(of: word.lowercased()) { return range.lowerBound + index }
    let expected =
      names.isEmpty
      ? "a number" : "a number or a name (\(names.first!)-\(names.last!))"
    throw CronSyntaxError(
      offset: part.lowerBound,
      message: word.isEmpty
        ? "\(name): a value is missing" : "\(name) '\(word)' is not \(expected)")
  }
}
