import FoundationEssentials

/// A text/plain UTF-8 message for `sendmail -t -oi`: the headers name the
/// recipients (`-t`), a line holding only a dot is not the end (`-oi`).
enum EmailMessage {
  static func render(
    _ content: NotificationContent, to: [String], from: String?, date: Date = Date()
  ) -> String {
    var headers = [
      "To: \(to.joined(separator: ", "))",
      "Subject: \(encodedSubject("[orchestrate] \(content.title)"))",
      "Date: \(rfc5322Date(date))",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: 8bit",
      "X-Orchestrate-Event: \(content.event.rawValue)",
      "X-Orchestrate-Pipeline: \(content.pipeline)",
    ]
    if let from { headers.insert("From: \(from)", at: 1) }
    return headers.joined(separator: "\n") + "\n\n" + body(content) + "\n"
  }

  static func body(_ content: NotificationContent) -> String {
    var lines = [content.title, ""]
    func add(_ label: String, _ value: String?) {
      if let value { lines.append("\(label): \(value)") }
    }
    add("Pipeline", content.pipeline)
    add("Environment", content.environment)
    add("Run ID", content.runId)
    add("Status", content.status?.rawValue)
    add("Exit code", content.exitCode.map(String.init))
    add("Reason", content.reason)
    add("Started", content.startedAt.map(Timestamp.format))
    add("Duration", content.durationSeconds.map(DurationDisplay.summary))
    add("Logical date", content.logicalDate)
    if let counts = content.counts {
      add(
        "Tasks",
        "\(counts.completed) of \(counts.total - counts.notWanted) completed, \(counts.failed) failed, "
          + "\(counts.timedOut) timed out, \(counts.skipped) skipped, \(counts.cancelled) cancelled"
          + (counts.notWanted > 0 ? " (\(counts.notWanted) not wanted)" : "")
      )
    }
    if let since = content.failingSince { lines.append(failingLine(since)) }
    add("Host", content.host)
    if !content.failedTasks.isEmpty {
      lines += ["", "Tasks that did not complete:"] + taskLines(content.failedTasks)
    }
    let counters = counterLines(content)
    if !counters.isEmpty { lines += ["", "Statistics:"] + counters }
    if !content.anomalies.isEmpty {
      lines += ["", "Anomalies:"] + content.anomalies.map { "  \($0)" }
    }
    if let command = content.logsCommand { lines += ["", "Logs: \(command)"] }
    return lines.joined(separator: "\n")
  }

  static func failingLine(_ since: NotificationContent.FailingSince) -> String {
    "Failing since \(Timestamp.format(since.startedAt)) (\(since.runs) run\(since.runs == 1 ? "" : "s"), first \(since.runId))"
  }

  /// `failed    transform (exit code 3)` and its output tail, indented.
  static func taskLines(_ tasks: [NotificationContent.FailedTask]) -> [String] {
    tasks.flatMap { task -> [String] in
      let status = task.status.rawValue.padded(to: 9)
      var lines = ["\(status) \(task.name)\(task.reason.map { "  \($0)" } ?? "")"]
      if let tail = task.outputTail {
        lines += tail.split(separator: "\n", omittingEmptySubsequences: false).map { "    | \($0)" }
      }
      return lines
    }
  }

  /// `extract: records 4,800 (biosample 2,080, geo 1,360, sra 1,360)`, one
  /// line per task and counter: the totals carry every instance's value as
  /// its source's share, so the per-instance counters are not repeated.
  static func counterLines(_ content: NotificationContent) -> [String] {
    CounterTotal.lines(content.totals).map { "  \($0)" }
  }

  /// RFC 2047 for a subject that is not plain ASCII.
  static func encodedSubject(_ subject: String) -> String {
    let clean = subject.replacing("\n", with: " ")
    guard clean.utf8.contains(where: { $0 >= 0x80 }) else { return clean }
    return "=?UTF-8?B?\(Data(clean.utf8).base64EncodedString())?="
  }

  static func rfc5322Date(_ date: Date) -> String { InternetDate.format(date) }
}
