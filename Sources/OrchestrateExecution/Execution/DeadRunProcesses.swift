import FoundationEssentials
import Glibc

/// The processes a dead run left behind, and stopping them. A process is
/// the run's only on proof, never by pid alone: it belongs to the process
/// group of an attempt whose leader still has the start time the journal
/// recorded, or its environment names the run (`ORCHESTRATE_RUN_ID`, which
/// every task's children inherit, even those that left its group). The
/// first proof counts only when the files that name the leader can be
/// trusted (`JournalTrust`).
struct DeadRunProcesses {
  /// Process groups proven to be the run's.
  private(set) var groups: Set<pid_t> = []
  /// Every live process to stop, group members included.
  private(set) var processes: [LiveProcess] = []
  /// The longest `kill_grace` of the tasks involved.
  private(set) var grace: Duration = .seconds(10)

  init(record: RunRecord, journal: [JournalEntry], trust: JournalTrust) {
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
    let spared = ProcessTable.selfAndAncestors()
    let marker = ProcessTable.runMarker(record.runId)
    // Only what started after the dead orchestrator can descend from it.
    let since = record.processStartTicks ?? 0
    let live = ProcessTable.read().filter { !spared.contains($0.pid) && $0.startTicks >= since }
    let members = Dictionary(grouping: live, by: \.group)
    for (group, ticks) in candidates {
      // The leader proves its group even as a zombie: a shell that has just
      // started a background child and exited leaves that child in the
      // group, possibly too new for the table read above.
      let leaderProves =
        trust.trustsProcessIds && ticks != nil
        && ProcessTable.startTicks(ofAnyState: group) == ticks
      if leaderProves
        || (members[group] ?? []).contains(where: {
          ProcessTable.environment(of: $0.pid, holds: marker)
        })
      {
        groups.insert(group)
      }
    }
    processes = live.filter {
      groups.contains($0.group) || ProcessTable.environment(of: $0.pid, holds: marker)
    }
  }

  /// Finds and stops what the run left, again until nothing is left: a
  /// process can start a child while the table is read, outside what that
  /// read saw (a child in the group of a leader that has exited, or one
  /// that left the group). Returns how many processes were found.
  static func stopAll(
    record: RunRecord, journal: [JournalEntry], trust: JournalTrust, rounds: Int = 5
  ) -> Int {
    var stopped = 0
    var signalled: Set<pid_t> = []
    for _ in 0..<rounds {
      let found = DeadRunProcesses(record: record, journal: journal, trust: trust)
      guard !found.processes.isEmpty || !found.groups.isSubset(of: signalled) else { break }
      stopped += found.stop()
      signalled.formUnion(found.groups)
    }
    return stopped
  }

  /// SIGTERM to every group and process, SIGKILL to what is left after the
  /// grace. Returns how many processes there were.
  func stop() -> Int {
    guard !processes.isEmpty || !groups.isEmpty else { return 0 }
    send(SIGTERM)
    let deadline = ContinuousClock.now + grace
    while !remaining().isEmpty && ContinuousClock.now < deadline {
      usleep(50_000)
    }
    if !remaining().isEmpty { send(SIGKILL) }
    return processes.count
  }

  /// SIGTERM is followed by SIGCONT: a run that died paused left its
  /// tasks stopped, and a stopped process cannot take SIGTERM.
  private func send(_ signal: Int32) {
    for group in groups {
      ChildProcess.signalGroup(group, signal)
      if signal == SIGTERM { ChildProcess.signalGroup(group, SIGCONT) }
    }
    for process in remaining() where !groups.contains(process.group) {
      kill(process.pid, signal)
      if signal == SIGTERM { kill(process.pid, SIGCONT) }
    }
  }

  /// The processes still alive: same pid and start time, not a zombie.
  private func remaining() -> [LiveProcess] {
    processes.filter { ProcessTable.entry(of: $0.pid) == $0 }
  }
}
