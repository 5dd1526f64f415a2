import Glibc

/// The fields of one process's `/proc/PID/stat` that resource sampling
/// needs. The command name (field 2) is in parentheses and may itself hold
/// spaces and parentheses, so fields are counted from the last `)`.
package struct ProcStatFields: Equatable, Sendable {
  package var state: UInt8
  package var group: pid_t
  /// utime + stime of the process and cutime + cstime of the children it
  /// has waited for, in clock ticks: a child's time moves from its own
  /// line to its parent's when it is reaped, so a group's sum does not
  /// drop when a member ends.
  package var cpuTicks: UInt64
  /// Resident set size in pages.
  package var rssPages: UInt64

  package init(state: UInt8, group: pid_t, cpuTicks: UInt64, rssPages: UInt64) {
    self.state = state
    self.group = group
    self.cpuTicks = cpuTicks
    self.rssPages = rssPages
  }

  /// Reads the fields from the text of a stat file; nil when it is cut
  /// short or has no command name.
  package static func parse(_ text: UnsafeBufferPointer<UInt8>) -> ProcStatFields? {
    guard let close = text.lastIndex(of: UInt8(ascii: ")")) else { return nil }
    // Counted from the state (field 3) as 0: pgrp is 2, utime 11, stime 12,
    // cutime 13, cstime 14, rss 21.
    var fields = ProcStatFields(state: 0, group: 0, cpuTicks: 0, rssPages: 0)
    var field = -1
    var value: UInt64 = 0
    var negative = false
    var index = close + 1
    while index < text.count {
      let byte = text[index]
      index += 1
      if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") {
        // A negative count (cutime is a signed long) adds nothing.
        let number = negative ? 0 : value
        switch field {
        case 2: fields.group = pid_t(truncatingIfNeeded: number)
        case 11, 12, 13, 14: fields.cpuTicks &+= number
        case 21:
          fields.rssPages = number
          return fields
        default: break
        }
        field += 1
        value = 0
        negative = false
      } else if field == 0 {
        fields.state = byte
      } else if byte >= 48 && byte <= 57 {
        value = value &* 10 &+ UInt64(byte - 48)
      } else if byte == UInt8(ascii: "-") {
        negative = true
      }
    }
    // The last field wanted may end the text without a separator.
    if field == 21 {
      fields.rssPages = negative ? 0 : value
      return fields
    }
    return nil
  }
}
