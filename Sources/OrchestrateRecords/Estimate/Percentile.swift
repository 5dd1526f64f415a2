/// Percentiles by linear interpolation between closest ranks (the rule of
/// numpy's default and of Python's `statistics.median`), so the figures
/// match what users' own scripts computed.
public enum Percentile {
  /// The `p`-th percentile (0...100) of `values`; nil when there are none.
  public static func of(_ values: [Double], _ p: Double) -> Double? {
    of(sorted: values.sorted(), p)
  }

  public static func of(sorted values: [Double], _ p: Double) -> Double? {
    guard !values.isEmpty else { return nil }
    let rank = (p / 100) * Double(values.count - 1)
    let lower = Int(rank.rounded(.down))
    let upper = min(lower + 1, values.count - 1)
    let fraction = rank - Double(lower)
    return values[lower] + (values[upper] - values[lower]) * fraction
  }
}
