/// A small bar chart of recent values, one bar per run, oldest left: the
/// trend at a glance. Bars carry their status tone (and its hatch pattern).
enum Sparkline {
  static let width = 120.0
  static let height = 26.0

  static func render(_ points: [ChartPoint], label: String) -> String {
    guard !points.isEmpty else { return "<span class=\"muted\">–</span>" }
    let top = max(points.compactMap(\.value).max() ?? 0, 1e-9)
    let slot = width / Double(max(points.count, 12))
    var svg =
      "<svg class=\"spark\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(HTML.escape(label))\">"
    svg +=
      "<line class=\"rule\" x1=\"0\" y1=\"\(Int(height) - 1)\" x2=\"\(Int(width))\" y2=\"\(Int(height) - 1)\"/>"
    let offset = width - slot * Double(points.count)
    for (index, point) in points.enumerated() {
      // A run without a value (still running, no duration) gets a stub.
      let fraction = point.value.map { $0 / top } ?? 0
      let barHeight = max(2, fraction * (height - 2))
      let x = offset + Double(index) * slot
      svg +=
        "<rect class=\"bar \(point.tone)\" x=\"\(SVGNumber.text(x + 0.5))\" y=\"\(SVGNumber.text(height - 1 - barHeight))\" width=\"\(SVGNumber.text(max(slot - 1, 1)))\" height=\"\(SVGNumber.text(barHeight))\"><title>\(HTML.escape(point.title))</title></rect>"
    }
    return svg + "</svg>"
  }
}
