import FoundationEssentials

/// One message to one channel, in the channel's own format: the webhook's
/// JSON document, a Slack payload, a mail through sendmail, a ping.
enum ChannelRequest {
  static func deliver(
    _ content: NotificationContent, to endpoint: ChannelEndpoint, pingRun: UUID, deadline: Date,
    limit: String
  ) -> HTTPDelivery.Outcome {
    var outcome: HTTPDelivery.Outcome
    switch (endpoint.channel.kind, endpoint.target) {
    case (.email(let to, let from, _), .sendmail(let program, _, _)):
      outcome = SendmailDelivery.send(
        EmailMessage.render(content, to: to, from: from), program: program, deadline: deadline,
        limit: limit)
    case (.slack, .http(let url, let headers)):
      outcome = HTTPDelivery.send(
        url: url, method: "POST", headers: headers, body: SlackMessage.payload(content),
        contentType: "application/json", deadline: deadline, limit: limit)
    case (.ping, .http(let url, let headers)):
      let tail = content.failedTasks.compactMap { task in
        task.outputTail.map { "\(task.name):\n\($0)" }
      }
      outcome = HTTPDelivery.send(
        url: pingURL(url, event: content.event, exitCode: content.exitCode, run: pingRun),
        method: "POST", headers: headers,
        body: Data(([content.title] + tail).joined(separator: "\n").utf8),
        contentType: "text/plain; charset=utf-8", deadline: deadline, limit: limit)
    case (_, .http(let url, let headers)):
      let body = (try? RecordCoding.encoder().encode(content)) ?? Data()
      outcome = HTTPDelivery.send(
        url: url, method: "POST", headers: headers, body: body, contentType: "application/json",
        deadline: deadline, limit: limit)
    default:
      outcome = .init(delivered: false, attempts: 0, error: "channel and target do not match")
    }
    outcome.error = outcome.error.map(endpoint.mask.apply)
    outcome.answer = outcome.answer.map(endpoint.mask.apply)
    return outcome
  }

  /// healthchecks.io's conventions: `/start`, the base URL for success,
  /// `/<exit code>` (or `/fail`) for a run that did not complete; `rid`
  /// ties a start to its end.
  static func pingURL(_ base: URL, event: NotifyEvent, exitCode: Int32?, run: UUID) -> URL {
    let suffix: String =
      switch event {
      case .start: "start"
      case .failure, .partial: exitCode.map { String($0) } ?? "fail"
      default: ""
      }
    guard var components = URLComponents(url: base, resolvingAgainstBaseURL: false) else {
      return base
    }
    if !suffix.isEmpty {
      components.path =
        (components.path.hasSuffix("/") ? String(components.path.dropLast()) : components.path)
        + "/" + suffix
    }
    components.queryItems =
      (components.queryItems ?? []) + [
        URLQueryItem(name: "rid", value: run.uuidString.lowercased())
      ]
    return components.url ?? base
  }
}
