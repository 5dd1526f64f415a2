/// One group's usage at a sample, with its CPU share since the sample before.
package struct GroupReading: Equatable, Sendable {
  package var usage: ProcessGroupUsage
  /// Percent of one core since the group's previous sample; nil on its first.
  package var cpuPercent: Double?
  package var cpuSeconds: Double {
    Double(usage.cpuTicks) / Double(ProcessGroupScan.ticksPerSecond)
  }
}

/// Turns successive scans of process groups into readings: it keeps each
/// group's CPU ticks from the sample before, and forgets groups that are
/// no longer asked for.
package struct GroupSampler: Sendable {
  private var previous: [Int32: (ticks: UInt64, seconds: Double)] = [:]

  package init() {}

  /// Readings of the groups `usage` holds, taken `seconds` into some
  /// monotonic clock.
  package mutating func readings(of usage: [Int32: ProcessGroupUsage], at seconds: Double)
    -> [Int32: GroupReading]
  {
    var readings: [Int32: GroupReading] = [:]
    var next: [Int32: (ticks: UInt64, seconds: Double)] = [:]
    for (group, usage) in usage {
      let percent = previous[group].flatMap {
        CPUShare.percent(
          fromTicks: $0.ticks, toTicks: usage.cpuTicks,
          ticksPerSecond: ProcessGroupScan.ticksPerSecond, seconds: seconds - $0.seconds)
      }
      readings[group] = GroupReading(usage: usage, cpuPercent: percent)
      next[group] = (usage.cpuTicks, seconds)
    }
    previous = next
    return readings
  }

  /// Samples `groups` now.
  package mutating func sample(_ groups: Set<Int32>, at seconds: Double) -> [Int32: GroupReading] {
    readings(of: ProcessGroupScan.sample(groups), at: seconds)
  }
}
