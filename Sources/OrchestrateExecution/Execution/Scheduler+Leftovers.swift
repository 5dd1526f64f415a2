import Dispatch
import FoundationEssentials
import Glibc

/// Processes a task left behind: the rest of its process group when it
/// ends, and, when the run ends, those that left their group.
extension Scheduler {
  /// Sends the rest of a finished task's process group SIGTERM, then SIGKILL
  /// after its kill grace, and records how many processes were left.
  func stopLeftovers(of index: Int, group: pid_t) {
    guard ChildProcess.groupExists(group) else { return }
    let members = ChildProcess.members(ofGroup: group).count
    guard members > 0 else { return }
    let step = plan.steps[index]
    lingeringGroups.insert(group)
    ChildProcess.signalGroup(group, SIGTERM)
    // Stopped by a pause, they could not take it.
    if pausedTime.isPaused { ChildProcess.signalGroup(group, SIGCONT) }
    watchLingering(group, killAt: .now + step.task.killGrace)
    journal.write(
      .leftovers(
        task: step.name, group: group, count: members, at: Date(), killGrace: step.task.killGrace))
    record.tasks[index].leftoverProcesses = (record.tasks[index].leftoverProcesses ?? 0) + members
    events.log("\(step.name) left \(members) process(es) running; stopping them")
  }

  /// Their leader is gone, so no wait4 reports these processes' end.
  func watchLingering(_ group: pid_t, killAt: ContinuousClock.Instant) {
    watchUntilGone(
      isGone: { ChildProcess.members(ofGroup: group).isEmpty },
      kill: { ChildProcess.signalGroup(group, SIGKILL) }, killAt: killAt,
      then: { [self] in
        lingeringGroups.remove(group)
        afterLeftovers.removeValue(forKey: group)?()
        advance()
      })
  }

  /// Once every task has ended: processes that carry the run's id but left
  /// their task's process group (`setsid`, a double fork) get SIGTERM, then
  /// SIGKILL after the longest grace. True when some are being stopped.
  func stopEscapees() -> Bool {
    let escaped = ProcessTable.carrying(runId: record.runId, since: record.processStartTicks)
    guard !escaped.isEmpty else { return false }
    record.escapedProcesses = escaped.count
    events.log(
      "\(escaped.count) process(es) started by tasks left their task's process group "
        + "and are still running; stopping them")
    for process in escaped { kill(process.pid, SIGTERM) }
    let grace = plan.steps.map(\.task.killGrace).max() ?? .seconds(10)
    let alive: @Sendable () -> [LiveProcess] = {
      escaped.filter { ProcessTable.entry(of: $0.pid) == $0 }
    }
    watchUntilGone(
      isGone: { alive().isEmpty }, kill: { for process in alive() { kill(process.pid, SIGKILL) } },
      killAt: .now + grace, then: { [self] in advance() })
    return true
  }

  /// Looks every 50 ms until `isGone`, calling `kill` from `killAt` on.
  func watchUntilGone(
    isGone: @escaping @Sendable () -> Bool, kill: @escaping @Sendable () -> Void,
    killAt: ContinuousClock.Instant, then done: @escaping @Sendable () -> Void
  ) {
    queue.asyncAfter(deadline: .now() + 0.05) { [self] in
      if isGone() { return done() }
      if ContinuousClock.now >= killAt { kill() }
      watchUntilGone(isGone: isGone, kill: kill, killAt: killAt, then: done)
    }
  }
}
