/// Counters as people read them in messages and pages: `4,800`, `1,234.5`,
/// `0.25`; here, below everything that prints them, as `DurationDisplay` is.
public enum CounterDisplay {
  /// Whole numbers without a fraction and with thousands separators; others
  /// to six significant digits, grouped too unless written with an exponent.
  public static func format(_ value: Double) -> String {
    let text =
      value == value.rounded() && abs(value) < 1e15
      ? String(Int64(value)) : String(printf: "%.6g", value)
    guard !text.contains("e"), !text.contains("n"), !text.contains("i") else { return text }
    return grouped(text)
  }

  /// `-1234567.5` → `-1,234,567.5`: commas between the integer part's
  /// groups of three digits.
  static func grouped(_ text: String) -> String {
    let sign = text.hasPrefix("-") ? "-" : ""
    let unsigned = text.dropFirst(sign.count)
    let integer = unsigned.prefix { $0 != "." }
    let fraction = unsigned.dropFirst(integer.count)
    var groups: [Substring] = []
    var end = integer.endIndex
    while end > integer.startIndex {
      let start =
        integer.index(end, offsetBy: -3, limitedBy: integer.startIndex) ?? integer.startIndex
      groups.insert(integer[start..<end], at: 0)
      end = start
    }
    return sign + groups.joined(separator: ",") + fraction
  }
}
