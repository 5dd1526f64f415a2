import FoundationEssentials
import Glibc

/// The report a run prints when something went wrong and nobody is at a
/// terminal: the body of the mail cron sends. Short enough to read on a
/// phone, complete enough to act on without logging in first.
public enum RunReport {
  public static let linesPerTask = 10
  public static let outputLines = 40

  /// `root`: the root directory, so that the commands it names work from anywhere.
  public static func render(
    _ record: RunRecord, metricsFile: String, root: String, problems: [String]
  ) -> String {
    let duration = record.durationSeconds.map { " in \(DurationDisplay.summary($0))" } ?? ""
    var lines = [
      "\(record.pipeline) \(record.runId) \(record.status.rawValue)\(duration)"
        + " (exit \(record.exitCode ?? 1))"
    ]
    if let reason = record.reason { lines.append("  \(TerminalText.escaped(reason))") }
    let notCompleted = record.tasks.filter { !$0.status.isDone }
    let width = notCompleted.map(\.name.count).max() ?? 0
    for task in notCompleted {
      lines.append(
        "  " + task.status.rawValue.padded(to: 10)
          + task.name.padded(to: width) + "  "
          + outcome(of: task))
    }

    var budget = outputLines
    for task in notCompleted where budget > 0 {
      guard let error = task.error, error != task.reason else { continue }
      let output = TerminalText.lines(error).suffix(min(linesPerTask, budget))
      budget -= output.count
      lines.append("")
      lines.append("\(task.name), last \(output.count) line(s) of output:")
      lines += output.map { "  | \($0)" }
    }

    var warnings = (record.anomalies ?? []).map { "anomaly: \($0.sentence)" }
    for task in record.tasks {
      if let leftovers = task.leftoverProcesses, leftovers > 0 {
        warnings.append("\(task.name) left \(leftovers) process(es) running; they were stopped")
      }
    }
    warnings += problems
    if !warnings.isEmpty {
      lines.append("")
      lines += warnings
    }

    lines.append("")
    lines.append("more:")
    // Tasks that ran have a log to read; skipped ones have none.
    for task in notCompleted where !task.attempts.isEmpty {
      lines.append(
        "  orchestrate logs \(record.runId) \(ShellWord.quote(task.name)) --root \(ShellWord.quote(root))"
      )
    }
    lines.append("  orchestrate logs \(record.runId) --root \(ShellWord.quote(root))")
    lines.append("  metrics: \(metricsFile)")
    return lines.joined(separator: "\n")
  }

  /// Whether a finished run has anything to report: every run that did not
  /// complete cleanly.
  public static func isNeeded(_ record: RunRecord, problems: [String]) -> Bool {
    record.status != .completed || !(record.anomalies ?? []).isEmpty || !problems.isEmpty
      || record.tasks.contains { ($0.leftoverProcesses ?? 0) > 0 }
  }

  /// `exit 3 after 2 attempts`, `skipped: dependency load failed`, with the
  /// exit code or signal added when the reason does not already say it.
  static func outcome(of task: TaskRecord) -> String {
    let end =
      task.exitCode.map { "exit \($0)" }
      ?? task.signal.map { "killed by \(SignalName.of($0))" }
    guard let reason = task.reason.map(TerminalText.escaped) else { return end ?? "" }
    guard let end, !reason.contains(end) else { return reason }
    return "\(reason) (\(end))"
  }
}

/// A word as a POSIX shell reads it back: quoted only when it needs to be.
enum ShellWord {
  static func quote(_ word: String) -> String {
    let plain = word.unicodeScalars.allSatisfy {
      $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))
        || "_-./=:,+@%".unicodeScalars.contains($0)
    }
    guard !plain || word.isEmpty else { return word }
    return ShellWords.singleQuoted(word)
  }
}
