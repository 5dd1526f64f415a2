import FoundationEssentials

/// How an attempt ended, as the task's status and as words for the run's
/// log and the record: "exit 3", "killed by SIGTERM", "timed out (exit 1)".
struct AttemptVerdict: Equatable {
  var outcome: TaskStatus
  var how: String

  /// `cancelled`: stopped because the run ended early; `timedOut`: stopped at its timeout.
  init(_ end: AttemptEnd, cancelled: Bool, timedOut: Bool) {
    outcome =
      cancelled
      ? .cancelled : timedOut ? .timedOut : end.status == .exited(0) ? .completed : .failed
    how =
      end.status.map { status in
        let ended =
          switch status {
          case .exited(let code): "exit \(code)"
          case .signaled(let signal): "killed by \(SignalName.of(signal))"
          }
        return timedOut ? "timed out (\(ended))" : ended
      } ?? end.reason ?? "ended without a result"
  }

  /// The task's reason once no retry follows attempt `number`. `stopReason`:
  /// why this task was stopped, if not by the run's ending; `finallyAfter`:
  /// the run's reason for ending, when this was a `run_if: always` task run after it.
  func reason(attempt number: Int, stopReason: String?, runEnding: String?, finallyAfter: String?)
    -> String?
  {
    let reason: String? =
      switch outcome {
      case .completed: nil
      case .cancelled: stopReason ?? runEnding
      default: number > 1 ? "\(how) after \(number) attempts" : how
      }
    guard let finallyAfter else { return reason }
    let why = "ran after \(finallyAfter) because run_if: always"
    return reason.map { "\($0); \(why)" } ?? why
  }
}

extension AttemptRecord {
  /// Closes the attempt with what its executor reported.
  mutating func close(_ end: AttemptEnd, at date: Date, durationSeconds: Double, timedOut: Bool) {
    finishedAt = date
    self.durationSeconds = durationSeconds
    self.timedOut = timedOut
    peakRssBytes = end.usage.peakRSSBytes
    cpuUserSeconds = end.usage.userSeconds
    cpuSystemSeconds = end.usage.systemSeconds
    // wait4's counts are exact for the task and the children it waited for;
    // the last sample of its group also saw members it never waited for.
    closeSampling(readBytes: end.usage.readBytes, writeBytes: end.usage.writeBytes)
    switch end.status {
    case .exited(let code): exitCode = code
    case .signaled(let signal): self.signal = signal
    case nil: error = end.reason
    }
  }
}

extension TaskRecord {
  /// Takes a closed attempt's exit as the task's, and adds its resources:
  /// the peak of every attempt, the CPU of all of them.
  mutating func count(_ attempt: AttemptRecord) {
    exitCode = attempt.exitCode
    signal = attempt.signal
    peakRssBytes = max(peakRssBytes ?? 0, attempt.peakRssBytes ?? 0)
    cpuUserSeconds = (cpuUserSeconds ?? 0) + (attempt.cpuUserSeconds ?? 0)
    cpuSystemSeconds = (cpuSystemSeconds ?? 0) + (attempt.cpuSystemSeconds ?? 0)
    if let read = attempt.readBytes { readBytes = (readBytes ?? 0) + read }
    if let written = attempt.writeBytes { writeBytes = (writeBytes ?? 0) + written }
  }
}
