import FoundationEssentials

/// `orchestrate logs RUN_ID TASK`: every attempt's bytes in order, each
/// between a header and an outcome line composed from the run record (the
/// log files themselves hold only what the program wrote). Runs written
/// before logs had a file per attempt, or without a record, are printed as
/// stored.
public struct TaskLogPrinter {
  public let logs: RunLogs
  public let run: StoredRunLogs
  /// The run's record, when it can be read.
  public let record: RunRecord?
  /// Secret values the run located in its logs are shown as `***`; for
  /// readers who are not on the machine (serve).
  public let masksSecrets: Bool

  public init(logs: RunLogs, run: StoredRunLogs, masksSecrets: Bool = false) {
    self.logs = logs
    self.run = run
    self.masksSecrets = masksSecrets
    record = logs.record(of: run)
  }

  private func copy(file: String, to fd: Int32) throws(RunLogs.Failure) {
    if masksSecrets {
      try logs.copyMasked(file: file, of: run, to: fd)
    } else {
      try logs.copy(file: file, of: run, to: fd)
    }
  }

  /// The task's record; nil for a file that is not a task's log.
  public func task(_ name: String) -> TaskRecord? {
    record?.tasks.first { $0.name == name }
  }

  /// The instances of a per-source task, in the run's order
  /// (`download` → `download[geo]`, `download[sra]`); empty when `name` is
  /// anything else.
  public func instances(of name: String) -> [String] {
    guard task(name) == nil, !name.contains("[") else { return [] }
    // Without a record, the first attempts' logs say which instances ran.
    let names =
      record?.tasks.map(\.name)
      ?? ((try? logs.files(of: run)) ?? []).map(\.path).filter { $0.hasSuffix(".log") }.map {
        String($0.dropLast(4))
      }
    return names.filter { Self.isInstance($0, of: name) }
  }

  /// `download[geo]` of `download`; not `download[geo].attempt-2`.
  static func isInstance(_ candidate: String, of task: String) -> Bool {
    guard candidate.hasPrefix(task + "["), candidate.hasSuffix("]") else { return false }
    return !candidate.dropFirst(task.count + 1).dropLast().contains { $0 == "[" || $0 == "]" }
  }

  /// Every attempt of the task, or of each instance in turn for a
  /// per-source task: each header names its instance.
  public func printAll(_ name: String, to fd: Int32) throws(RunLogs.Failure) {
    let instances = instances(of: name)
    if !instances.isEmpty {
      for instance in instances { try printAll(instance, to: fd) }
      return
    }
    // A rerun took this task over: its output is in the run that ran it.
    if let origin = task(name)?.reusedFrom {
      return try TaskLogPrinter(
        logs: logs, run: logs.find(run: origin), masksSecrets: masksSecrets
      ).printAll(name, to: fd)
    }
    guard let task = task(name), task.attempts.contains(where: { $0.logFile != nil }) else {
      if masksSecrets { return try copy(file: name + ".log", to: fd) }
      return try logs.copy(name, of: run, to: fd)
    }
    for attempt in task.attempts {
      FileDescriptor.writeAll(Self.header(task, attempt), to: fd)
      if attempt.logFile != nil {
        try copy(file: RootLayout.taskLogName(task.name, attempt: attempt.number), to: fd)
      }
      FileDescriptor.writeAll(Self.outcome(task, attempt), to: fd)
    }
  }

  /// One attempt's bytes, unchanged.
  public func printAttempt(_ number: Int, of name: String, to fd: Int32) throws(RunLogs.Failure) {
    let instances = instances(of: name)
    if !instances.isEmpty {
      throw .oneLogPerSource(name, instances: instances, option: "--attempt")
    }
    if let origin = task(name)?.reusedFrom {
      return try TaskLogPrinter(
        logs: logs, run: logs.find(run: origin), masksSecrets: masksSecrets
      ).printAttempt(number, of: name, to: fd)
    }
    if let task = task(name), !task.attempts.contains(where: { $0.number == number }) {
      throw .unknownFile(
        "\(name) attempt \(number)", run: run.name,
        found: task.attempts.map { "attempt \($0.number)" })
    }
    try copy(file: RootLayout.taskLogName(name, attempt: number), to: fd)
  }

  static func header(_ task: TaskRecord, _ attempt: AttemptRecord) -> String {
    let pid = attempt.pid.map { ", pid \($0)" } ?? ""
    return
      "=== \(task.name): attempt \(attempt.number), started \(Timestamp.format(attempt.startedAt))\(pid) ===\n"
  }

  static func outcome(_ task: TaskRecord, _ attempt: AttemptRecord) -> String {
    "=== \(task.name): attempt \(attempt.number) \(describe(attempt)) ===\n"
  }

  /// `exit 3 after 2.10s`, `killed by SIGTERM after 1.00s, timed out`.
  static func describe(_ attempt: AttemptRecord) -> String {
    if let error = attempt.error, attempt.exitCode == nil, attempt.signal == nil { return error }
    guard attempt.finishedAt != nil else { return "still running" }
    var text =
      if let signal = attempt.signal {
        "killed by \(SignalName.of(signal))"
      } else {
        "exit \(attempt.exitCode ?? 0)"
      }
    if let duration = attempt.durationSeconds {
      text += " after \(DurationDisplay.short(duration))"
    }
    if attempt.timedOut { text += ", timed out" }
    return text
  }
}
