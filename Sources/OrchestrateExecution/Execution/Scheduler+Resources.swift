import FoundationEssentials
import Glibc

/// What the running attempts on this machine use, sampled from /proc once
/// a second (every fourth tick of the report timer) into their records.
extension Scheduler {
  /// Report ticks per sample.
  static let ticksPerResourceSample = 4
  /// A sample alone marks the record changed only when it was last written
  /// this long ago: the live record keeps the write rate of its other
  /// changes, plus at most one write per this spell while tasks run.
  static let liveResourceRefresh: Duration = .seconds(10)

  /// Whether resources are sampled: `ORCHESTRATE_RESOURCE_SAMPLING=off`
  /// turns it off, so that its cost can be measured.
  static let samplesResources: Bool = {
    guard let value = getenv("ORCHESTRATE_RESOURCE_SAMPLING") else { return true }
    return String(cString: value) != "off"
  }()

  /// Counts a report tick; samples on every fourth.
  func resourceTick() {
    guard Self.samplesResources else { return }
    resourceTicks += 1
    guard resourceTicks >= Self.ticksPerResourceSample else { return }
    resourceTicks = 0
    sampleResources()
  }

  func sampleResources() {
    var groups: [pid_t: Int] = [:]
    for (index, attempt) in running where !attempt.queued {
      if case .process(let pid, _) = attempt.handle { groups[pid] = index }
    }
    guard !groups.isEmpty else { return }
    let readings = resourceSampler.sample(
      Set(groups.keys), at: (ContinuousClock.now - runStart).seconds)
    let now = Date()
    for (group, index) in groups {
      guard let reading = readings[group], let last = record.tasks[index].attempts.indices.last
      else { continue }
      record.tasks[index].attempts[last].liveResources = LiveResources(reading, at: now)
    }
    if writer.lastWrite.map({ ContinuousClock.now - $0 >= Self.liveResourceRefresh }) ?? true {
      writer.changed()
    }
  }
}

extension LiveResources {
  init(_ reading: GroupReading, at date: Date) {
    let clamp = { (value: UInt64) in Int(clamping: value) }
    self.init(
      sampledAt: date, processes: reading.usage.processes, rssBytes: clamp(reading.usage.rssBytes),
      cpuPercent: reading.cpuPercent, cpuSeconds: reading.cpuSeconds,
      readBytes: reading.usage.io.map { clamp($0.readBytes) },
      writeBytes: reading.usage.io.map { clamp($0.writeBytes) })
  }
}
