/// Runs over time on a pipeline page: one bar per run, oldest left, height
/// its duration, tone its status; the band between p50 and p95 of the
/// completed runs shows what is usual. Each bar links to its run's page.
enum RunHistoryChart {
  static let width = 1000.0
  static let height = 220.0
  static let left = 52.0
  static let bottom = 22.0
  /// Room for two date labels (`11-30 02:00`) side by side.
  static let dateLabelSpan = 190.0

  static func render(
    _ points: [ChartPoint], p50: Double?, p95: Double?, first: String, last: String
  )
    -> String
  {
    guard !points.isEmpty else { return "<p class=\"muted\">No runs yet.</p>" }
    let top = max(points.compactMap(\.value).max() ?? 0, p95 ?? 0, 1e-9) * 1.08
    let plotHeight = height - bottom - 8
    func y(_ value: Double) -> Double { 8 + plotHeight * (1 - value / top) }
    let slot = (width - left) / Double(max(points.count, 20))
    var svg =
      "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"run durations over time\">"
    // Axis: the top value and zero.
    svg +=
      "<text x=\"\(Int(left) - 6)\" y=\"14\" text-anchor=\"end\">\(HTML.escape(ReportFormat.seconds(top)))</text>"
    svg +=
      "<text x=\"\(Int(left) - 6)\" y=\"\(SVGNumber.text(height - bottom))\" text-anchor=\"end\">0</text>"
    svg += line(left, height - bottom, width, height - bottom, "rule")
    if let p50, let p95 {
      svg +=
        "<rect class=\"band\" x=\"\(Int(left))\" y=\"\(SVGNumber.text(y(p95)))\" width=\"\(Int(width - left))\" height=\"\(SVGNumber.text(max(y(p50) - y(p95), 1)))\"><title>p50 \(HTML.escape(ReportFormat.seconds(p50))) to p95 \(HTML.escape(ReportFormat.seconds(p95))) of completed runs</title></rect>"
      svg += line(left, y(p50), width, y(p50), "p50")
      svg +=
        "<text x=\"\(Int(width) - 4)\" y=\"\(SVGNumber.text(y(p95) - 3))\" text-anchor=\"end\">p95 \(HTML.escape(ReportFormat.seconds(p95)))</text>"
    }
    for (index, point) in points.enumerated() {
      let value = point.value ?? 0
      let barTop = min(y(value), height - bottom - 2)
      let x = left + Double(index) * slot
      let bar =
        "<rect class=\"bar \(point.tone)\" x=\"\(SVGNumber.text(x + 0.5))\" y=\"\(SVGNumber.text(barTop))\" width=\"\(SVGNumber.text(max(slot - 1, 1)))\" height=\"\(SVGNumber.text(height - bottom - barTop))\"><title>\(HTML.escape(point.title))</title></rect>"
      svg += point.href.map { "<a href=\"\($0)\">\(bar)</a>" } ?? bar
    }
    svg += "<text x=\"\(Int(left))\" y=\"\(Int(height) - 6)\">\(HTML.escape(first))</text>"
    if last != first {
      // Under the last bar, but never over the first label when the bars are few.
      let end = max(left + slot * Double(points.count), left + Self.dateLabelSpan)
      svg +=
        "<text x=\"\(SVGNumber.text(end))\" y=\"\(Int(height) - 6)\" text-anchor=\"end\">\(HTML.escape(last))</text>"
    }
    return "<div class=\"scroll\">" + svg + "</svg></div>"
  }

  static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ kind: String) -> String
  {
    "<line class=\"\(kind)\" x1=\"\(SVGNumber.text(x1))\" y1=\"\(SVGNumber.text(y1))\" x2=\"\(SVGNumber.text(x2))\" y2=\"\(SVGNumber.text(y2))\"/>"
  }
}
