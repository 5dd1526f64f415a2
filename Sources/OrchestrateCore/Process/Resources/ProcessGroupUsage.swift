import Glibc

/// What the live members of one process group use at one moment.
package struct ProcessGroupUsage: Equatable, Sendable {
  package var processes = 0
  package var rssBytes: UInt64 = 0
  /// CPU time so far in clock ticks (see `ProcStatFields.cpuTicks`).
  package var cpuTicks: UInt64 = 0
  /// Storage bytes so far; nil when no member's io file could be read.
  package var io: ProcIOCounts?

  package init() {}

  /// Adds one member's line of stat and, when it could be read, of io.
  package mutating func add(_ stat: ProcStatFields, io counts: ProcIOCounts?, pageSize: UInt64) {
    processes += 1
    rssBytes &+= stat.rssPages &* pageSize
    cpuTicks &+= stat.cpuTicks
    if let counts {
      var total = io ?? ProcIOCounts(readBytes: 0, writeBytes: 0)
      total.readBytes &+= counts.readBytes
      total.writeBytes &+= counts.writeBytes
      io = total
    }
  }
}

/// One pass over /proc for every process group wanted: a single readdir,
/// one read of each process's stat to learn its group, and the io file of
/// the members only. Sampling a hundred groups costs what sampling one does,
/// plus their members' io files.
package enum ProcessGroupScan {
  package static let pageSize = UInt64(max(sysconf(Int32(_SC_PAGESIZE)), 1))
  package static let ticksPerSecond = max(sysconf(Int32(_SC_CLK_TCK)), 1)

  /// Usage of each group in `groups` that has a live member; groups with
  /// none are absent. Zombies count (their ticks are theirs until reaped)
  /// but hold no memory.
  package static func sample(_ groups: Set<pid_t>) -> [pid_t: ProcessGroupUsage] {
    guard !groups.isEmpty, let directory = opendir("/proc") else { return [:] }
    defer { closedir(directory) }
    let procFD = dirfd(directory)
    var usage: [pid_t: ProcessGroupUsage] = [:]
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1024) { buffer in
      while let entry = readdir(directory) {
        withUnsafeBytes(of: entry.pointee.d_name) { name in
          guard let first = name.first, first >= 49 && first <= 57 else { return }
          guard
            let stat = read(name, "stat", in: procFD, into: buffer).flatMap(ProcStatFields.parse),
            groups.contains(stat.group)
          else { return }
          let io = read(name, "io", in: procFD, into: buffer).flatMap(ProcIOCounts.parse)
          usage[stat.group, default: ProcessGroupUsage()].add(stat, io: io, pageSize: pageSize)
        }
      }
    }
    return usage
  }

  /// The text of `/proc/<name>/<file>` in `buffer`, read with plain system
  /// calls relative to /proc's descriptor: no path string is built per
  /// process.
  private static func read(
    _ name: UnsafeRawBufferPointer, _ file: StaticString, in procFD: Int32,
    into buffer: UnsafeMutableBufferPointer<UInt8>
  ) -> UnsafeBufferPointer<UInt8>? {
    var path = (
      UInt64(0), UInt64(0), UInt64(0), UInt64(0)
    )
    let fd = withUnsafeMutableBytes(of: &path) { raw -> Int32 in
      var length = 0
      for byte in name {
        guard byte != 0 else { break }
        guard length < 20 else { return -1 }
        raw[length] = byte
        length += 1
      }
      raw[length] = UInt8(ascii: "/")
      length += 1
      for index in 0..<file.utf8CodeUnitCount {
        raw[length] = file.utf8Start[index]
        length += 1
      }
      raw[length] = 0
      return openat(
        procFD, raw.baseAddress!.assumingMemoryBound(to: CChar.self), O_RDONLY | O_CLOEXEC)
    }
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    let count = Glibc.read(fd, buffer.baseAddress!, buffer.count)
    guard count > 0 else { return nil }
    return UnsafeBufferPointer(rebasing: buffer[..<count])
  }
}
