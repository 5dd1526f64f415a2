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
  static func text(_ value: Double) -> String {
    let rounded = (value * 100).rounded() / 100
    if rounded == rounded.rounded() { return String(Int(rounded)) }
    return String(printf: "%.2f", rounded).droppingTrailingZeros()
  }
}
