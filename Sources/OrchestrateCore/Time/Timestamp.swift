import FoundationEssentials
import Glibc

/// ISO 8601 UTC with milliseconds (`2026-11-22T02:00:00.123Z`), the one
/// timestamp form of the metrics files. Hand-rolled because status reads
/// thousands of records and DateFormatter is slow and locale-laden.
public enum Timestamp {
  public static func format(_ date: Date) -> String {
    let interval = date.timeIntervalSince1970
    var seconds = time_t(interval.rounded(.down))
    var milliseconds = Int(((interval - Double(seconds)) * 1000).rounded())
    if milliseconds == 1000 {
      seconds += 1
      milliseconds = 0
    }
    var parts = tm()
    gmtime_r(&seconds, &parts)
    // Digits written straight into 24 bytes: records hold one timestamp per
    // task and attempt, and are rewritten while a run goes on.
    return String(unsafeUninitializedCapacity: 24) { buffer in
      var index = 0
      func put(_ value: Int, digits: Int, then separator: UInt8) {
        var divisor = 1
        for _ in 1..<digits { divisor *= 10 }
        while divisor > 0 {
          buffer[index] = UInt8(48 + (value / divisor) % 10)
          index += 1
          divisor /= 10
        }
        buffer[index] = separator
        index += 1
      }
      put(Int(parts.tm_year) + 1900, digits: 4, then: UInt8(ascii: "-"))
      put(Int(parts.tm_mon) + 1, digits: 2, then: UInt8(ascii: "-"))
      put(Int(parts.tm_mday), digits: 2, then: UInt8(ascii: "T"))
      put(Int(parts.tm_hour), digits: 2, then: UInt8(ascii: ":"))
      put(Int(parts.tm_min), digits: 2, then: UInt8(ascii: ":"))
      put(Int(parts.tm_sec), digits: 2, then: UInt8(ascii: "."))
      put(milliseconds, digits: 3, then: UInt8(ascii: "Z"))
      return index
    }
  }

  /// Parses `YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)`; nil for anything else.
  public static func parse(_ text: String) -> Date? {
    let bytes = Array(text.utf8)
    guard bytes.count >= 20 else { return nil }
    func number(_ start: Int, _ length: Int) -> Int? {
      var value = 0
      for index in start..<(start + length) {
        let digit = Int(bytes[index]) - 48
        guard (0...9).contains(digit) else { return nil }
        value = value * 10 + digit
      }
      return value
    }
    guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
      bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "),
      bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
      let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
      let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
      (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
    else { return nil }
    var index = 19
    var fraction = 0.0
    if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
      index += 1
      var scale = 0.1
      while index < bytes.count, (48...57).contains(bytes[index]) {
        fraction += Double(bytes[index] - 48) * scale
        scale /= 10
        index += 1
      }
    }
    var offset = 0
    guard index < bytes.count else { return nil }
    switch bytes[index] {
    case UInt8(ascii: "Z"):
      guard index + 1 == bytes.count else { return nil }
    case UInt8(ascii: "+"), UInt8(ascii: "-"):
      guard index + 6 == bytes.count, let hours = number(index + 1, 2),
        let minutes = number(index + 4, 2)
      else { return nil }
      offset = (hours * 3600 + minutes * 60) * (bytes[index] == UInt8(ascii: "+") ? 1 : -1)
    default:
      return nil
    }
    let days = CivilDay.daysSinceEpoch(year: year, month: month, day: day)
    let seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset
    return Date(timeIntervalSince1970: Double(seconds) + fraction)
  }
}
