import FoundationEssentials

/// `orchestrate notify test`: a test message to each channel (or one), and
/// what each endpoint answered.
public enum ChannelTest {
  public struct Answer: Sendable {
    public var index: Int
    public var record: NotificationRecord
    /// The start of the endpoint's answer, secrets masked.
    public var answer: String?

    /// `notify[0] slack (hooks.slack.com): delivered, HTTP 200: ok`
    public var line: String {
      var text = "notify[\(index)] \(record.channelName): "
      if record.delivered {
        text += "delivered"
        if let status = record.httpStatus { text += ", HTTP \(status)" }
      } else {
        text += "not delivered"
        if record.attempts > 1 { text += " after \(record.attempts) attempts" }
        if let error = record.error { text += ": \(error)" }
      }
      if let answer = answer?.trimmed, !answer.isEmpty {
        text += ": \(answer.split(separator: "\n").first ?? "")"
      }
      return text
    }
  }

  public struct Problem: Error, CustomStringConvertible {
    public var description: String
  }

  public static func send(
    _ plan: Plan, channel: Int?, environment: [String: String]
  ) throws(Problem) -> [Answer] {
    let pipeline = plan.pipeline
    let channels = pipeline.notify.channels(for: plan.settings.environment, in: pipeline)
    guard !channels.isEmpty else {
      throw Problem(
        description: "\(pipeline.name) has no notify: channels"
          + (plan.settings.environment.map { " in environment \($0)" } ?? ""))
    }
    if let channel, !channels.indices.contains(channel) {
      throw Problem(
        description: "--channel \(channel): the pipeline has channels 0 to \(channels.count - 1)")
    }
    var variables = environment
    for (key, value) in pipeline.environment { variables[key] = value }
    for (key, value) in plan.settings.variables { variables[key] = value }
    let host = ProcessIdentity.current().host
    let content = NotificationContent.problem(
      pipeline: pipeline.name, event: .test, headline: "TEST",
      reason: "A test message from orchestrate notify test; nothing is wrong.", host: host,
      environment: plan.settings.environment)
    let batch = NotificationBatch()
    let deadline = Date().addingTimeInterval(pipeline.notify.timeout.seconds)
    var indices: [Int] = []
    for (index, target) in channels.enumerated() where channel == nil || channel == index {
      batch.launch(
        content, channel: target, key: String(index), environment: variables, deadline: deadline,
        bound: pipeline.notify.timeout)
      indices.append(index)
    }
    return zip(indices, batch.wait()).map {
      Answer(index: $0, record: $1.record, answer: $1.answer)
    }
  }
}
