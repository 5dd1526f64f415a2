import FoundationEssentials
import Glibc

/// Who wrote a record, precisely enough to tell later whether that process is
/// still alive: pids are reused, so the kernel's start time and the boot id
/// are compared too.
public struct ProcessIdentity: Sendable, Equatable {
  public var host: String
  public var pid: Int32
  public var startTicks: UInt64?
  public var bootId: String?

  public init(host: String, pid: Int32, startTicks: UInt64?, bootId: String?) {
    self.host = host
    self.pid = pid
    self.startTicks = startTicks
    self.bootId = bootId
  }

  public static func current() -> ProcessIdentity {
    let pid = getpid()
    return ProcessIdentity(
      host: hostName(), pid: pid, startTicks: startTicks(of: pid), bootId: currentBootId())
  }

  public init(of record: RunRecord) {
    self.init(
      host: record.host, pid: record.pid, startTicks: record.processStartTicks,
      bootId: record.bootId)
  }

  public enum Liveness: Equatable, Sendable {
    case alive
    case gone
    /// Another host's process: this machine cannot look.
    case unknown
  }

  /// Whether the process that wrote the record is still running.
  public func liveness() -> Liveness {
    guard host == Self.hostName() else { return .unknown }
    if let bootId, let current = Self.currentBootId(), bootId != current { return .gone }
    if kill(pid, 0) != 0 && errno == ESRCH { return .gone }
    if let startTicks, let now = Self.startTicks(of: pid), now != startTicks { return .gone }
    return .alive
  }

  public static func hostName() -> String {
    var buffer = [UInt8](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count) == 0 else { return "unknown" }
    return String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
  }

  /// Field 22 of /proc/PID/stat: start time in clock ticks after boot.
  /// Read with plain system calls: it is read once for every task started.
  public static func startTicks(of pid: Int32) -> UInt64? {
    let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1024) { buffer in
      let count = read(fd, buffer.baseAddress!, buffer.count)
      guard count > 0 else { return nil }
      return startTicks(stat: UnsafeBufferPointer(rebasing: buffer[..<count]))
    }
  }

  /// Field 22 of a /proc/PID/stat line. The command name (field 2) may hold
  /// spaces and parentheses: fields resume after the last ')'.
  static func startTicks(stat bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
    guard let end = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
    var field = 2
    var value: UInt64 = 0
    var digits = 0
    for byte in bytes[(end + 1)...] {
      if byte == UInt8(ascii: " ") {
        if field == 22 { break }
        field += 1
      } else if field == 22 {
        guard byte >= 48 && byte <= 57, digits < 19 else { return nil }
        value = value * 10 + UInt64(byte - 48)
        digits += 1
      }
    }
    return digits > 0 ? value : nil
  }

  /// When `pid` started, from its start ticks and the boot time.
  static func startDate(of pid: Int32) -> Date? {
    guard let ticks = startTicks(of: pid), let boot = bootTime else { return nil }
    return Date(timeIntervalSince1970: boot + Double(ticks) / Double(sysconf(Int32(_SC_CLK_TCK))))
  }

  /// Seconds since 1970 at boot: the `btime` line of /proc/stat.
  private static let bootTime: Double? = {
    guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
    let line = text.split(separator: "\n").first { $0.hasPrefix("btime ") }
    return line.flatMap { Double($0.dropFirst(6)) }
  }()

  /// Seconds since a process of this boot started (its start ticks, field
  /// 22 of /proc/PID/stat, count on the boot-time clock); nil without
  /// ticks, or for another boot, whose clock this one does not continue.
  public static func secondsRunning(startTicks: UInt64?, bootId: String?) -> Double? {
    guard let startTicks, let bootId, bootId == thisBoot else { return nil }
    var now = timespec()
    guard clock_gettime(CLOCK_BOOTTIME, &now) == 0 else { return nil }
    let seconds = Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    return max(0, seconds - Double(startTicks) / Double(sysconf(Int32(_SC_CLK_TCK))))
  }

  private static let thisBoot = currentBootId()

  /// The name of the user running orchestrate, for records.
  public static func userName(_ environment: [String: String]) -> String {
    if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name {
      return String(cString: name)
    }
    return environment["USER"] ?? String(geteuid())
  }

  package static func currentBootId() -> String? {
    (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
      .trimmed
  }
}
