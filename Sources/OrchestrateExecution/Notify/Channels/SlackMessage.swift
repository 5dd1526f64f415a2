import FoundationEssentials
import Glibc

/// A Slack incoming-webhook payload: `text` for notifications and clients
/// without blocks, `blocks` with a header, the fields, and the failed tasks'
/// output as a code block.
enum SlackMessage {
  static func payload(_ content: NotificationContent) -> Data {
    var fields: [String] = []
    if let runId = content.runId { fields.append("*Run ID*\n\(runId)") }
    if let environment = content.environment { fields.append("*Environment*\n\(environment)") }
    if let status = content.status { fields.append("*Status*\n\(status.rawValue)") }
    if let seconds = content.durationSeconds {
      fields.append("*Duration*\n\(DurationDisplay.summary(seconds))")
    }
    if let date = content.logicalDate { fields.append("*Logical date*\n\(date)") }
    if let counts = content.counts {
      fields.append(
        "*Tasks*\n\(counts.completed) of \(counts.total - counts.notWanted) completed"
          + (counts.notWanted > 0 ? " (\(counts.notWanted) not wanted)" : ""))
    }
    var blocks: [JSONValue] = [
      [
        "type": "header",
        "text": ["type": "plain_text", "text": .string(String(content.title.prefix(150)))],
      ]
    ]
    if !fields.isEmpty {
      // Slack takes at most ten fields in a section.
      blocks.append([
        "type": "section",
        "fields": .array(fields.prefix(10).map { ["type": "mrkdwn", "text": .string($0)] }),
      ])
    }
    var details: [String] = []
    if let reason = content.reason { details.append(reason) }
    if let since = content.failingSince {
      details.append(EmailMessage.failingLine(since))
    }
    let statistics = EmailMessage.counterLines(content)
    if !statistics.isEmpty { details.append("*Statistics*\n" + statistics.joined(separator: "\n")) }
    if !content.anomalies.isEmpty {
      details.append("*Anomalies*\n" + content.anomalies.map { "• \($0)" }.joined(separator: "\n"))
    }
    for text in details {
      blocks.append([
        "type": "section", "text": ["type": "mrkdwn", "text": .string(String(text.prefix(3000)))],
      ])
    }
    if !content.failedTasks.isEmpty {
      // A section's text holds at most 3000 characters.
      let code = String(
        EmailMessage.taskLines(content.failedTasks).joined(separator: "\n").suffix(2900))
      blocks.append([
        "type": "section", "text": ["type": "mrkdwn", "text": .string("```\n\(code)\n```")],
      ])
    }
    var context = ["host \(content.host)"]
    if let command = content.logsCommand { context.append("`\(command)`") }
    blocks.append([
      "type": "context",
      "elements": [["type": "mrkdwn", "text": .string(context.joined(separator: " · "))]],
    ])
    let document: JSONValue = ["text": .string(fallbackText(content)), "blocks": .array(blocks)]
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return (try? encoder.encode(document)) ?? Data()
  }

  /// The seed scripts' message shape, for clients that show no blocks.
  static func fallbackText(_ content: NotificationContent) -> String {
    var lines = [content.title]
    if let runId = content.runId { lines.append("Run ID: \(runId)") }
    if let environment = content.environment { lines.append("Environment: \(environment)") }
    if let seconds = content.durationSeconds {
      lines.append("Duration: \(DurationDisplay.summary(seconds))")
    }
    for task in content.failedTasks {
      lines.append("\(task.status.rawValue): \(task.name)\(task.reason.map { " (\($0))" } ?? "")")
    }
    if let reason = content.reason, content.runId == nil || content.status == nil {
      lines.append(reason)
    }
    return lines.joined(separator: "\n")
  }
}
