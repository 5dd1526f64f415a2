import Foundation

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
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count) == 0 else { return "unknown" }
    return String(cString: buffer)
  }

  /// Field 22 of /proc/PID/stat: start time in clock ticks after boot.
  /// Read with plain system calls: it is read once for every task started.
  public static func startTicks(of pid: Int32) -> UInt64? {
    let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 1024)
    let count = read(fd, &buffer, buffer.count)
    guard count > 0 else { return nil }
    // The command name may hold spaces and parentheses; fields resume after the last ')'.
    let bytes = buffer[..<count]
    guard let end = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
    let fields = bytes[(end + 1)...].split(separator: UInt8(ascii: " "))
    guard fields.count > 19 else { return nil }
    return UInt64(String(decoding: fields[19], as: UTF8.self))
  }

  static func currentBootId() -> String? {
    (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
