/// CPU use over an interval as `top` shows it: 100 is one core busy for the
/// whole interval, a group busy on two cores shows 200.
package enum CPUShare {
  /// Percent of one core between two samples of a group's CPU ticks; nil
  /// when no time passed. A sum that went down (a member left the group or
  /// ended without being waited for, taking its ticks with it) counts as 0
  /// rather than as a negative share.
  package static func percent(
    fromTicks earlier: UInt64, toTicks later: UInt64, ticksPerSecond: Int, seconds: Double
  ) -> Double? {
    guard seconds > 0, ticksPerSecond > 0 else { return nil }
    guard later > earlier else { return 0 }
    return Double(later - earlier) / Double(ticksPerSecond) / seconds * 100
  }
}
