import FoundationEssentials

/// `ping:` — a cron monitor such as healthchecks.io, told that a run started
/// and how it ended; the body is the title and the failed tasks' output.
struct PingChannel: ChannelSender {
  var urlVariable: String

  var variables: [(field: String, name: String)] { [("url_env", urlVariable)] }

  func prepare(environment: [String: String]) -> Result<PreparedDelivery, ChannelProblem> {
    HTTPEndpoint.read(urlVariable: urlVariable, environment: environment).map { endpoint in
      endpoint.delivery(
        contentType: "text/plain; charset=utf-8",
        target: { base, content, context in
          Self.url(base, event: content.event, exitCode: content.exitCode, run: context.pingRun)
        },
        body: { content in
          let tail = content.failedTasks.compactMap { task in
            task.outputTail.map { "\(task.name):\n\($0)" }
          }
          return Data(([content.title] + tail).joined(separator: "\n").utf8)
        })
    }
  }

  /// healthchecks.io's conventions: `/start`, the base URL for success,
  /// `/<exit code>` (or `/fail`) for a run that did not complete; `rid`
  /// ties a start to its end.
  static func url(_ base: URL, event: NotifyEvent, exitCode: Int32?, run: UUID) -> URL {
    let suffix: String =
      switch event {
      case .start: "start"
      // Told without changing the check's state: a pause is neither an end nor a start.
      case .paused: "log"
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
