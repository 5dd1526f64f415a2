import FoundationEssentials

/// One fact of a run's journal: a line of tab-separated fields, the kind
/// first, then the time in milliseconds since 1970. Short and made of
/// integers, so writing one costs next to nothing on a task's start.
package enum JournalEntry: Equatable, Sendable {
  /// An attempt's process started and leads process group `pid`.
  case started(
    task: String, attempt: Int, pid: Int32, startTicks: UInt64?, at: Date, killGrace: Duration)
  /// An attempt was submitted to a queue as job `jobId`, named `jobName`
  /// (which holds the run id, so a reused id is never taken for it).
  case submitted(task: String, attempt: Int, jobId: String, jobName: String, at: Date)
  /// An attempt's process ended.
  case exited(
    task: String, attempt: Int, at: Date, durationSeconds: Double, status: TerminationStatus,
    timedOut: Bool, usage: ResourceUsage)
  /// The task reached its final status.
  case finished(task: String, status: TaskStatus, at: Date, reason: String?)
  /// The task's process group outlived its leader and is being stopped.
  case leftovers(task: String, group: Int32, count: Int, at: Date, killGrace: Duration)
  /// The run ended but its final record could not be written.
  case recordLost(status: RunStatus, exitCode: Int32, at: Date, reason: String)
  /// The run was paused: `stopped` attempts were stopped (process groups
  /// sent SIGSTOP, jobs suspended). A run that dies paused left them so.
  case paused(at: Date, stopped: Int)
  /// The run was resumed after a pause of `seconds`.
  case resumed(at: Date, seconds: Double)

  package var line: String {
    switch self {
    case .started(let task, let attempt, let pid, let ticks, let at, let grace):
      return
        "started\t\(Self.ms(at))\t\(task)\t\(attempt)\t\(pid)\t\(ticks.map(String.init) ?? "-")\t\(grace.milliseconds)\n"
    case .submitted(let task, let attempt, let jobId, let jobName, let at):
      return "submitted\t\(Self.ms(at))\t\(task)\t\(attempt)\t\(jobId)\t\(Self.escape(jobName))\n"
    case .exited(let task, let attempt, let at, let duration, let status, let timedOut, let usage):
      let end =
        switch status {
        case .exited(let code): "exit:\(code)"
        case .signaled(let signal): "signal:\(signal)"
        }
      return
        "exited\t\(Self.ms(at))\t\(task)\t\(attempt)\t\(Self.micros(duration))\t\(end)\t\(timedOut ? 1 : 0)\t\(usage.peakRSSBytes)\t\(Self.micros(usage.userSeconds))\t\(Self.micros(usage.systemSeconds))\n"
    case .finished(let task, let status, let at, let reason):
      return "finished\t\(Self.ms(at))\t\(task)\t\(status.rawValue)\t\(Self.escape(reason ?? ""))\n"
    case .leftovers(let task, let group, let count, let at, let grace):
      return "leftovers\t\(Self.ms(at))\t\(task)\t\(group)\t\(count)\t\(grace.milliseconds)\n"
    case .recordLost(let status, let exitCode, let at, let reason):
      return
        "record-lost\t\(Self.ms(at))\t\(status.rawValue)\t\(exitCode)\t\(Self.escape(reason))\n"
    case .paused(let at, let stopped):
      return "paused\t\(Self.ms(at))\t\(stopped)\n"
    case .resumed(let at, let seconds):
      return "resumed\t\(Self.ms(at))\t\(Self.micros(seconds))\n"
    }
  }

  /// Reads one line (without its newline); nil for a torn or unknown line.
  init?(line: Substring) {
    let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
    guard fields.count >= 3, let ms = Int64(fields[1]) else { return nil }
    let at = Date(timeIntervalSince1970: Double(ms) / 1000)
    let task = String(fields[2])
    func int(_ index: Int) -> Int? { Int(fields[index]) }
    func seconds(_ index: Int) -> Double? { Int64(fields[index]).map { Double($0) / 1e6 } }
    switch fields[0] {
    case "started" where fields.count == 7:
      guard let attempt = int(3), let pid = Int32(fields[4]), let grace = int(6) else { return nil }
      self = .started(
        task: task, attempt: attempt, pid: pid, startTicks: UInt64(fields[5]), at: at,
        killGrace: .milliseconds(grace))
    case "submitted" where fields.count == 6:
      guard let attempt = int(3), !fields[4].isEmpty else { return nil }
      self = .submitted(
        task: task, attempt: attempt, jobId: String(fields[4]), jobName: Self.unescape(fields[5]),
        at: at)
    case "exited" where fields.count == 10:
      let end = fields[5].split(separator: ":")
      guard let attempt = int(3), let duration = seconds(4), end.count == 2,
        let value = Int32(end[1]), let rss = int(7), let user = seconds(8),
        let system = seconds(9)
      else { return nil }
      let status: TerminationStatus
      switch end[0] {
      case "exit": status = .exited(value)
      case "signal": status = .signaled(value)
      default: return nil
      }
      self = .exited(
        task: task, attempt: attempt, at: at, durationSeconds: duration, status: status,
        timedOut: fields[6] == "1",
        usage: ResourceUsage(peakRSSBytes: rss, userSeconds: user, systemSeconds: system))
    case "finished" where fields.count == 5:
      guard let status = TaskStatus(rawValue: String(fields[3])) else { return nil }
      let reason = Self.unescape(fields[4])
      self = .finished(task: task, status: status, at: at, reason: reason.isEmpty ? nil : reason)
    case "leftovers" where fields.count == 6:
      guard let group = Int32(fields[3]), let count = int(4), let grace = int(5) else {
        return nil
      }
      self = .leftovers(
        task: task, group: group, count: count, at: at, killGrace: .milliseconds(grace))
    case "record-lost" where fields.count == 5:
      guard let status = RunStatus(rawValue: task), let code = Int32(fields[3]) else { return nil }
      self = .recordLost(status: status, exitCode: code, at: at, reason: Self.unescape(fields[4]))
    case "paused" where fields.count == 3:
      guard let stopped = int(2), stopped >= 0 else { return nil }
      self = .paused(at: at, stopped: stopped)
    case "resumed" where fields.count == 3:
      guard let seconds = seconds(2), seconds >= 0 else { return nil }
      self = .resumed(at: at, seconds: seconds)
    default:
      return nil
    }
  }

  var date: Date {
    switch self {
    case .started(_, _, _, _, let at, _), .exited(_, _, let at, _, _, _, _),
      .submitted(_, _, _, _, let at),
      .finished(_, _, let at, _), .leftovers(_, _, _, let at, _), .recordLost(_, _, let at, _),
      .paused(let at, _), .resumed(let at, _):
      at
    }
  }

  private static func ms(_ date: Date) -> Int64 {
    Int64((date.timeIntervalSince1970 * 1000).rounded())
  }
  private static func micros(_ seconds: Double) -> Int64 { Int64((seconds * 1e6).rounded()) }

  /// Reasons are the orchestrator's own words; a tab or newline in one
  /// (from a file name, say) must not split the line.
  package static func escape(_ text: String) -> String {
    guard text.utf8.contains(where: { $0 == 9 || $0 == 10 || $0 == 92 }) else { return text }
    return text.replacing("\\", with: "\\\\")
      .replacing("\t", with: "\\t").replacing("\n", with: "\\n")
  }

  package static func unescape(_ text: Substring) -> String {
    guard text.contains("\\") else { return String(text) }
    var result = ""
    var escaped = false
    for character in text {
      if escaped {
        result.append(character == "t" ? "\t" : character == "n" ? "\n" : character)
        escaped = false
      } else if character == "\\" {
        escaped = true
      } else {
        result.append(character)
      }
    }
    return result
  }
}
