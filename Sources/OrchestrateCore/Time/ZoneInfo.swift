import FoundationEssentials
import Glibc

/// A time zone as the system's tz database describes it: the UTC offset in
/// force at any moment. Read from `/usr/share/zoneinfo` (the files glibc and
/// cron read) rather than through Foundation, whose named time zones need
/// ICU's 30 MB of data in the binary.
public struct ZoneInfo: Sendable, Equatable, CustomStringConvertible {
  /// The IANA name (`Europe/Berlin`), or the TZ text the zone came from.
  public let identifier: String
  /// Moments (seconds since 1970, ascending) at which the offset changes,
  /// and the offset (seconds east of UTC) from each one on.
  let transitions: [Int64]
  let offsets: [Int32]
  /// The offset before the first transition.
  let initialOffset: Int32
  /// The rule after the last transition (the TZif footer), if any.
  let rule: PosixZoneRule?

  public static let utc = ZoneInfo(
    identifier: "UTC", transitions: [], offsets: [], initialOffset: 0, rule: nil)

  public var description: String { identifier }

  /// Seconds east of UTC in force at `seconds` since 1970.
  public func secondsFromGMT(at seconds: Int) -> Int {
    let moment = Int64(seconds)
    guard let last = transitions.last else {
      return rule?.offset(at: moment) ?? Int(initialOffset)
    }
    if moment >= last, let rule { return rule.offset(at: moment) }
    // The number of transitions at or before `moment`.
    var low = 0
    var high = transitions.count
    while low < high {
      let middle = (low + high) / 2
      if transitions[middle] <= moment { low = middle + 1 } else { high = middle }
    }
    return Int(low == 0 ? initialOffset : offsets[low - 1])
  }

  public func secondsFromGMT(for date: Date) -> Int {
    secondsFromGMT(at: Int(date.timeIntervalSince1970.rounded(.down)))
  }
}

extension ZoneInfo {
  /// Where the tz database lives; `TZDIR` as for glibc.
  static var directory: String {
    if let custom = getenv("TZDIR"), custom.pointee != 0 { return String(cString: custom) }
    return "/usr/share/zoneinfo"
  }

  /// Whether the tz database is absent (a minimal container without tzdata),
  /// so that an unknown name can be told apart from a missing database.
  static var databaseIsMissing: Bool {
    access("\(directory)/Europe/London", R_OK) != 0
  }

  /// The zone an IANA name (`Europe/Berlin`, `UTC`) names on this machine;
  /// nil for names the tz database does not have.
  public static func named(_ name: String) -> ZoneInfo? {
    let parts = name.split(separator: "/", omittingEmptySubsequences: false)
    guard !name.isEmpty, !name.hasPrefix("/"),
      parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." })
    else { return nil }
    if let zone = read(file: "\(directory)/\(name)", identifier: name) { return zone }
    return name == "UTC" ? utc : nil
  }

  /// The machine's zone as the C library finds it: `TZ` (a zone name, a
  /// file, or a POSIX rule such as `CET-1CEST,M3.5.0,M10.5.0/3`), else
  /// `/etc/localtime`; UTC when neither says.
  public static let local: ZoneInfo = {
    if let value = getenv("TZ") {
      return fromTZVariable(String(cString: value))
    }
    return read(file: "/etc/localtime", identifier: localName() ?? "localtime") ?? utc
  }()

  static func fromTZVariable(_ value: String) -> ZoneInfo {
    let name = value.hasPrefix(":") ? String(value.dropFirst()) : value
    if name.isEmpty { return utc }
    if name.hasPrefix("/") {
      return read(file: name, identifier: name) ?? utc
    }
    if let zone = named(name) { return zone }
    if let rule = PosixZoneRule(name) {
      return ZoneInfo(
        identifier: name, transitions: [], offsets: [], initialOffset: 0, rule: rule)
    }
    return utc
  }

  /// The IANA name of `/etc/localtime`: where its link points, else
  /// Debian's `/etc/timezone`.
  private static func localName() -> String? {
    if let target = FileSystem.linkTarget("/etc/localtime"),
      let range = target.firstRange(of: "zoneinfo/")
    {
      return String(target[range.upperBound...])
    }
    guard let data = FileManager.default.contents(atPath: "/etc/timezone") else { return nil }
    let name = String(decoding: data, as: UTF8.self).trimmed
    return name.isEmpty ? nil : name
  }

  private static func read(file path: String, identifier: String) -> ZoneInfo? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return TZifFile.parse([UInt8](data), identifier: identifier)
  }
}
