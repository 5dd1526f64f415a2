import FoundationEssentials
import Glibc

/// `run_YYYYMMDD_HHMMSS_PID`, in UTC: sorts by start time, unique per host.
public struct RunID: Hashable, Sendable, Comparable, CustomStringConvertible {
  public let text: String
  public let startedAt: Date
  public let pid: Int32

  public init(startedAt: Date, pid: Int32) {
    var seconds = time_t(startedAt.timeIntervalSince1970.rounded(.down))
    var parts = tm()
    gmtime_r(&seconds, &parts)
    text = String(
      printf: "run_%04d%02d%02d_%02d%02d%02d_%d", parts.tm_year + 1900, parts.tm_mon + 1,
      parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, pid)
    self.startedAt = Date(timeIntervalSince1970: Double(seconds))
    self.pid = pid
  }

  /// Parses a run id; nil for names that are not one.
  public init?(_ text: String) {
    let parts = text.split(separator: "_", omittingEmptySubsequences: false)
    guard parts.count == 4, parts[0] == "run", parts[1].count == 8, parts[2].count == 6,
      let pid = Int32(parts[3]), pid > 0,
      let date = Timestamp.parse(
        "\(parts[1].prefix(4))-\(parts[1].dropFirst(4).prefix(2))-\(parts[1].suffix(2))T"
          + "\(parts[2].prefix(2)):\(parts[2].dropFirst(2).prefix(2)):\(parts[2].suffix(2))Z")
    else { return nil }
    self.text = text
    self.startedAt = date
    self.pid = pid
  }

  /// `run_` + 8 digits + `_` + 6 digits + `_` + a pid, checked byte by byte:
  /// cheap enough for every line of a status index of years of runs.
  public static func isWellFormed(_ text: String) -> Bool {
    let count = text.utf8.count
    guard count >= 21, count <= 30 else { return false }
    for (offset, byte) in text.utf8.enumerated() {
      let expected: UInt8? =
        switch offset {
        case 0: UInt8(ascii: "r")
        case 1: UInt8(ascii: "u")
        case 2: UInt8(ascii: "n")
        case 3, 12, 19: UInt8(ascii: "_")
        default: nil
        }
      if let expected {
        if byte != expected { return false }
      } else if byte < UInt8(ascii: "0") || byte > UInt8(ascii: "9") {
        return false
      }
    }
    return true
  }

  public var description: String { text }

  public static func < (lhs: RunID, rhs: RunID) -> Bool {
    (lhs.startedAt, lhs.pid) < (rhs.startedAt, rhs.pid)
  }
}
