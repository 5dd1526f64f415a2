import FoundationEssentials

/// What a running attempt's process group uses, sampled from /proc about
/// once a second while it runs on this machine; the attempt's record holds
/// the latest sample until it ends, then drops it for the exact figures of
/// wait4. See docs/run-record.md.
public struct LiveResources: Codable, Sendable, Equatable {
  public var sampledAt: Date
  /// Live members of the process group.
  public var processes: Int
  /// Resident memory summed over them (shared pages count once per process).
  public var rssBytes: Int
  /// CPU over the last interval, 100 per busy core; absent on the first sample.
  public var cpuPercent: Double?
  /// CPU time so far, user and system, of the members and the children they
  /// have waited for.
  public var cpuSeconds: Double
  /// Storage bytes read and written so far; absent when /proc/PID/io could
  /// not be read.
  public var readBytes: Int?
  public var writeBytes: Int?

  public init(
    sampledAt: Date, processes: Int, rssBytes: Int, cpuPercent: Double?, cpuSeconds: Double,
    readBytes: Int?, writeBytes: Int?
  ) {
    self.sampledAt = sampledAt
    self.processes = processes
    self.rssBytes = rssBytes
    self.cpuPercent = cpuPercent
    self.cpuSeconds = cpuSeconds
    self.readBytes = readBytes
    self.writeBytes = writeBytes
  }
}

extension LiveResources {
  /// `rss 212.0 MiB  cpu 98%  r 1.2 MiB  w 200.0 MiB` for a terminal line.
  public var summary: String { summaryParts.joined(separator: "  ") }

  /// The summary's parts: bytes read and written only once there are some.
  public var summaryParts: [String] {
    var parts = ["rss \(ByteCount.format(Int64(rssBytes)))"]
    if let cpuPercent { parts.append(String(printf: "cpu %.0f%%", cpuPercent)) }
    if let readBytes, let writeBytes, readBytes > 0 || writeBytes > 0 {
      parts.append("r \(ByteCount.format(Int64(readBytes)))")
      parts.append("w \(ByteCount.format(Int64(writeBytes)))")
    }
    return parts
  }
}

extension AttemptRecord {
  /// Ends the attempt's sampling: its storage bytes are the larger of those
  /// its executor counted (nil: none) and those of the last sample, each a
  /// lower bound of what its process group did, and the sample goes.
  /// Returns the bytes this added to the attempt, for the task's sums.
  @discardableResult
  package mutating func closeSampling(readBytes counted: Int?, writeBytes written: Int?)
    -> (read: Int, written: Int)
  {
    let sample = liveResources
    liveResources = nil
    let before = (readBytes ?? 0, writeBytes ?? 0)
    readBytes = Self.larger(counted ?? readBytes, sample?.readBytes)
    writeBytes = Self.larger(written ?? writeBytes, sample?.writeBytes)
    return ((readBytes ?? 0) - before.0, (writeBytes ?? 0) - before.1)
  }

  static func larger(_ a: Int?, _ b: Int?) -> Int? {
    switch (a, b) {
    case (let a?, let b?): max(a, b)
    case (let a?, nil): a
    case (nil, let b): b
    }
  }
}
