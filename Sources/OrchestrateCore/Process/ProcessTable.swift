import FoundationEssentials
import Glibc

/// A live process: its pid, process group and kernel start time, which
/// together tell it from a later process that reused the pid.
package struct LiveProcess: Equatable, Sendable {
  package var pid: pid_t
  package var group: pid_t
  package var startTicks: UInt64
}

/// Live processes as /proc shows them.
package enum ProcessTable {
  package static func read() -> [LiveProcess] {
    guard let handle = opendir("/proc") else { return [] }
    defer { closedir(handle) }
    var processes: [LiveProcess] = []
    while let found = readdir(handle) {
      let pid = withUnsafePointer(to: found.pointee.d_name) {
        $0.withMemoryRebound(to: CChar.self, capacity: 256) { atoi($0) }
      }
      if pid > 0, let process = entry(of: pid) { processes.append(process) }
    }
    return processes
  }

  /// Group and start time of a live (not zombie) process.
  package static func entry(of pid: pid_t) -> LiveProcess? {
    guard let stat = stat(of: pid), stat.state != UInt8(ascii: "Z") else { return nil }
    return .init(pid: pid, group: stat.group, startTicks: stat.startTicks)
  }

  /// Start time of a process, zombies included: a zombie still holds its
  /// pid, and so its process group, until it is reaped.
  package static func startTicks(ofAnyState pid: pid_t) -> UInt64? {
    stat(of: pid)?.startTicks
  }

  package static func parent(of pid: pid_t) -> pid_t? {
    stat(of: pid)?.parent
  }

  private struct Stat {
    var state: UInt8 = 0
    var parent: pid_t = 0
    var group: pid_t = 0
    var startTicks: UInt64 = 0
  }

  /// The fields of /proc/PID/stat this needs, read with plain system calls:
  /// a run reads it for every process on the machine when it ends.
  private static func stat(of pid: pid_t) -> Stat? {
    let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1024) { buffer -> Stat? in
      let count = Glibc.read(fd, buffer.baseAddress!, buffer.count)
      guard count > 0, let end = buffer[..<count].lastIndex(of: UInt8(ascii: ")")) else {
        return nil
      }
      // After the command name: state, ppid, pgrp, ..., starttime (the 20th).
      var stat = Stat()
      var field = -1
      var value: UInt64 = 0
      for byte in buffer[(end + 1)..<count] {
        if byte == UInt8(ascii: " ") {
          switch field {
          case 1: stat.parent = pid_t(truncatingIfNeeded: value)
          case 2: stat.group = pid_t(truncatingIfNeeded: value)
          case 19:
            stat.startTicks = value
            return stat
          default: break
          }
          field += 1
          value = 0
        } else if field == 0 {
          stat.state = byte
        } else if byte >= 48 && byte <= 57 {
          value = value &* 10 &+ UInt64(byte - 48)
        }
      }
      return nil
    }
  }

  /// Whether `variable` (NAME=VALUE) is one of the process's environment entries.
  package static func environment(of pid: pid_t, holds variable: [UInt8]) -> Bool {
    guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else {
      return false
    }
    return data.split(separator: 0).contains { $0.elementsEqual(variable) }
  }

  /// The environment entry every task of a run, and its children, carry.
  package static func runMarker(_ runId: String) -> [UInt8] {
    Array("ORCHESTRATE_RUN_ID=\(runId)".utf8)
  }

  /// Live processes that carry the run's id, this process and its
  /// ancestors left out. Only processes started at or after `since` (start
  /// ticks of the run's orchestrator) can be its tasks' descendants, so
  /// only their environments are read.
  package static func carrying(runId: String, since: UInt64?) -> [LiveProcess] {
    let marker = runMarker(runId)
    let spared = selfAndAncestors()
    return read().filter {
      $0.startTicks >= since ?? 0 && !spared.contains($0.pid)
        && environment(of: $0.pid, holds: marker)
    }
  }

  /// This process and the chain of its parents: a run started by a task of
  /// another run inherits its variables and must not stop itself.
  package static func selfAndAncestors() -> Set<pid_t> {
    var result: Set<pid_t> = []
    var pid = getpid()
    while pid > 1, result.insert(pid).inserted {
      guard let parent = parent(of: pid) else { break }
      pid = parent
    }
    return result
  }
}
