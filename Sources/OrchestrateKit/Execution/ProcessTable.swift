import Foundation

/// A live process: its pid, process group and kernel start time, which
/// together tell it from a later process that reused the pid.
struct LiveProcess: Equatable, Sendable {
  var pid: pid_t
  var group: pid_t
  var startTicks: UInt64
}

/// Live processes as /proc shows them.
enum ProcessTable {
  static func read() -> [LiveProcess] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else {
      return []
    }
    return names.compactMap { pid_t($0).flatMap(entry(of:)) }
  }

  /// Group and start time of a live (not zombie) process.
  static func entry(of pid: pid_t) -> LiveProcess? {
    guard let fields = statFields(of: pid), fields.count > 19, fields[0] != "Z",
      let group = pid_t(fields[2]), let ticks = UInt64(fields[19])
    else { return nil }
    return .init(pid: pid, group: group, startTicks: ticks)
  }

  static func parent(of pid: pid_t) -> pid_t? {
    guard let fields = statFields(of: pid), fields.count > 1 else { return nil }
    return pid_t(fields[1])
  }

  /// Fields of /proc/PID/stat after the command name: state first.
  private static func statFields(of pid: pid_t) -> [Substring]? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let end = stat.lastIndex(of: ")")
    else { return nil }
    return stat[stat.index(after: end)...].split(separator: " ")
  }

  /// Whether `variable` (NAME=VALUE) is one of the process's environment entries.
  static func environment(of pid: pid_t, holds variable: [UInt8]) -> Bool {
    guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else {
      return false
    }
    return data.split(separator: 0).contains { $0.elementsEqual(variable) }
  }

  /// The environment entry every task of a run, and its children, carry.
  static func runMarker(_ runId: String) -> [UInt8] {
    Array("ORCHESTRATE_RUN_ID=\(runId)".utf8)
  }

  /// Live processes that carry the run's id, this process and its
  /// ancestors left out.
  static func carrying(runId: String) -> [LiveProcess] {
    let marker = runMarker(runId)
    let spared = selfAndAncestors()
    return read().filter { !spared.contains($0.pid) && environment(of: $0.pid, holds: marker) }
  }

  /// This process and the chain of its parents: a run started by a task of
  /// another run inherits its variables and must not stop itself.
  static func selfAndAncestors() -> Set<pid_t> {
    var result: Set<pid_t> = []
    var pid = getpid()
    while pid > 1, result.insert(pid).inserted {
      guard let parent = parent(of: pid) else { break }
      pid = parent
    }
    return result
  }
}
