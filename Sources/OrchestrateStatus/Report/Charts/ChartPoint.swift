import FoundationEssentials

/// One mark of a chart: a value (a duration, a counter), the tone of its
/// status, and the text a reader sees on hover (SVG `<title>`).
struct ChartPoint {
  var value: Double?
  var tone: String
  var title: String
  var href: String?
}

enum SVGNumber {
  /// Two decimals at most, no trailing zeros: small pages, identical output.
  /// Written from whole hundredths: a chart has hundreds of coordinates,
  /// each formatted through printf otherwise.
  static func text(_ value: Double) -> String {
    let scaled = (value * 100).rounded()
    guard scaled.magnitude < 1e12 else { return formatted(value) }
    let hundredths = Int64(scaled)
    let whole = String(hundredths.magnitude / 100)
    let sign = hundredths < 0 ? "-" : ""
    let fraction = Int(hundredths.magnitude % 100)
    if fraction == 0 { return sign + whole }
    if fraction % 10 == 0 { return "\(sign)\(whole).\(fraction / 10)" }
    return "\(sign)\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
  }

  /// The same for any value, infinities and NaN included.
  static func formatted(_ value: Double) -> String {
    let rounded = (value * 100).rounded() / 100
    if rounded == rounded.rounded() { return String(Int(rounded)) }
    return String(printf: "%.2f", rounded).droppingTrailingZeros()
  }
}
