import Foundation

/// The processes a dead run left behind, and stopping them. A process is
/// the run's only on proof, never by pid alone: it belongs to the process
/// group of an attempt whose leader still has the start time the journal
/// recorded, or its environment names the run (`ORCHESTRATE_RUN_ID`, which
/// every task's children inherit, even those that left its group).
struct DeadRunProcesses {
  /// Process groups proven to be the run's.
  private(set) var groups: Set<pid_t> = []
  /// Every live process to stop, group members included.
  private(set) var processes: [LiveProcess] = []
  /// The longest `kill_grace` of the tasks involved.
  private(set) var grace: Duration = .seconds(10)

  struct LiveProcess: Equatable {
    var pid: pid_t
    var group: pid_t
    var startTicks: UInt64
  }

  init(record: RunRecord, journal: [JournalEntry]) {
    var candidates: [pid_t: UInt64?] = [:]
    var graces: [Duration] = []
    for task in record.tasks where task.status == .running {
      if let attempt = task.attempts.last, let pid = attempt.pid {
        candidates[pid] = attempt.processStartTicks
      }
    }
    for entry in journal {
      switch entry {
      case .started(_, _, let pid, let ticks, _, let grace):
        candidates[pid] = ticks
        graces.append(grace)
      case .leftovers(_, let group, _, _, let grace):
        candidates[group] = candidates[group] ?? nil
        graces.append(grace)
      default: break
      }
    }
    if let longest = graces.max() { grace = longest }
    let spared = Self.selfAndAncestors()
    let marker = Array("ORCHESTRATE_RUN_ID=\(record.runId)".utf8)
    let live = ProcessTable.read().filter { !spared.contains($0.pid) }
    let members = Dictionary(grouping: live, by: \.group)
    for (group, ticks) in candidates {
      guard let inGroup = members[group] else { continue }
      let leaderProves = inGroup.contains { $0.pid == group && ticks != nil && $0.startTicks == ticks }
      if leaderProves || inGroup.contains(where: { ProcessTable.environment(of: $0.pid, holds: marker) }) {
        groups.insert(group)
      }
    }
    processes = live.filter {
      groups.contains($0.group) || ProcessTable.environment(of: $0.pid, holds: marker)
    }
  }

  /// SIGTERM to every group and process, SIGKILL to what is left after the
  /// grace. Returns how many processes there were.
  func stop() -> Int {
    guard !processes.isEmpty else { return 0 }
    send(SIGTERM)
    let deadline = ContinuousClock.now + grace
    while !remaining().isEmpty && ContinuousClock.now < deadline {
      usleep(50_000)
    }
    if !remaining().isEmpty { send(SIGKILL) }
    return processes.count
  }

  private func send(_ signal: Int32) {
    for group in groups { ChildProcess.signalGroup(group, signal) }
    for process in remaining() where !groups.contains(process.group) {
      kill(process.pid, signal)
    }
  }

  /// The processes still alive: same pid and start time, not a zombie.
  private func remaining() -> [LiveProcess] {
    processes.filter { ProcessTable.entry(of: $0.pid) == $0 }
  }

  /// This process and the chain of its parents: a run started by a task of
  /// the dead run inherits its variables and must not stop itself.
  private static func selfAndAncestors() -> Set<pid_t> {
    var result: Set<pid_t> = []
    var pid = getpid()
    while pid > 1, result.insert(pid).inserted {
      guard let parent = ProcessTable.parent(of: pid) else { break }
      pid = parent
    }
    return result
  }
}

/// Live processes as /proc shows them.
enum ProcessTable {
  static func read() -> [DeadRunProcesses.LiveProcess] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else {
      return []
    }
    return names.compactMap { pid_t($0).flatMap(entry(of:)) }
  }

  /// Group and start time of a live (not zombie) process.
  static func entry(of pid: pid_t) -> DeadRunProcesses.LiveProcess? {
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
}
