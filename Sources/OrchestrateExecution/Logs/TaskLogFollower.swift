import FoundationEssentials
import Glibc

/// `orchestrate logs -f`: a running task's output as it is written, like
/// `tail -f`, attempt after attempt, each between its header and outcome
/// line; returns once the record says the task (or the run) has ended.
public struct TaskLogFollower {
  public let logs: RunLogs
  public let run: StoredRunLogs
  public let task: String
  /// How often the log and the record are looked at.
  public var interval: Duration = .milliseconds(200)

  public init(logs: RunLogs, run: StoredRunLogs, task: String) {
    self.logs = logs
    self.run = run
    self.task = task
  }

  public func follow(to fd: Int32) throws(RunLogs.Failure) {
    // One task's output as it comes; several at once would interleave.
    let instances = TaskLogPrinter(logs: logs, run: run).instances(of: task)
    if !instances.isEmpty {
      throw .oneLogPerSource(task, instances: instances, option: "--follow")
    }
    guard let directory = run.directory, run.archive == nil else {
      // An archived run has ended: print it whole.
      return try TaskLogPrinter(logs: logs, run: run).printAll(task, to: fd)
    }
    if logs.record(of: run)?.tasks.first(where: { $0.name == task })?.reusedFrom != nil {
      return try TaskLogPrinter(logs: logs, run: run).printAll(task, to: fd)
    }
    guard logs.record(of: run)?.tasks.contains(where: { $0.name == task }) ?? false else {
      throw .unknownFile(task, run: run.name, found: logs.record(of: run)?.tasks.map(\.name) ?? [])
    }
    var shown = 0
    var headed = -1
    var offset = 0
    while true {
      let record = logs.record(of: run)
      guard let current = record?.tasks.first(where: { $0.name == task }) else { return }
      let attempts = current.attempts
      if shown < attempts.count {
        let attempt = attempts[shown]
        if headed != shown {
          FileDescriptor.writeAll(TaskLogPrinter.header(current, attempt), to: fd)
          headed = shown
        }
        let file = "\(directory)/\(RootLayout.taskLogName(task, attempt: attempt.number))"
        offset = Self.copyNew(file, from: offset, to: fd)
        let ended = attempt.finishedAt != nil || attempt.error != nil
        if ended || record?.status != .running {
          offset = Self.copyNew(file, from: offset, to: fd)
          FileDescriptor.writeAll(TaskLogPrinter.outcome(current, attempt), to: fd)
          shown += 1
          offset = 0
          continue
        }
      } else if current.status.isFinished || record?.status != .running {
        return
      }
      usleep(UInt32(interval.milliseconds * 1000))
    }
  }

  /// Writes what `path` holds past `offset`; returns the new offset.
  private static func copyNew(_ path: String, from offset: Int, to fd: Int32) -> Int {
    let input = open(path, O_RDONLY | O_CLOEXEC)
    guard input >= 0 else { return offset }
    defer { close(input) }
    var position = offset
    var buffer = [UInt8](repeating: 0, count: 64 << 10)
    while true {
      let count = buffer.withUnsafeMutableBytes {
        pread(input, $0.baseAddress!, $0.count, off_t(position))
      }
      if count < 0 && errno == EINTR { continue }
      guard count > 0 else { return position }
      _ = buffer.withUnsafeBytes {
        FileDescriptor.writeAll(UnsafeRawBufferPointer(rebasing: $0[..<count]), to: fd)
      }
      position += count
    }
  }
}
