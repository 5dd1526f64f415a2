import FoundationEssentials

/// An HTTP channel's URL and headers, read from the variables that hold
/// them when a message is sent. They are secrets (a Slack or webhook URL
/// is a credential), so everything that could carry them is masked.
struct HTTPEndpoint: Sendable {
  var url: URL
  var headers: [String: String]
  var host: String
  var mask: SecretMask

  static func read(
    urlVariable: String, headerVariables: [String: String] = [:], environment: [String: String]
  ) -> Result<HTTPEndpoint, ChannelProblem> {
    guard let text = environment[urlVariable], !text.isEmpty else {
      return .failure(ChannelProblem(message: "\(urlVariable) is not set; nothing sent"))
    }
    guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
      scheme == "https" || scheme == "http", let host = url.host, !host.isEmpty
    else {
      return .failure(
        ChannelProblem(message: "\(urlVariable) does not hold an http(s) URL; nothing sent"))
    }
    var headers: [String: String] = [:]
    var secrets = [text, url.path, url.query ?? ""]
    for (header, name) in headerVariables.sorted(by: { $0.key < $1.key }) {
      guard let value = environment[name] else {
        return .failure(
          ChannelProblem(host: host, message: "\(name) (header \(header)) is not set; nothing sent")
        )
      }
      guard !value.utf8.contains(where: { $0 == 10 || $0 == 13 || $0 == 0 }) else {
        return .failure(
          ChannelProblem(
            host: host, message: "\(name) (header \(header)) holds a line break; nothing sent"))
      }
      headers[header] = value
      secrets.append(value)
    }
    return .success(
      HTTPEndpoint(
        url: url, headers: headers, host: host, mask: SecretMask(secrets.filter { $0.count > 1 })))
  }

  /// A delivery that POSTs what `body` makes of a message, to the URL
  /// `target` makes of the endpoint's (the endpoint's own by default).
  func delivery(
    contentType: String,
    target: @escaping @Sendable (URL, NotificationContent, DeliveryContext) -> URL = { url, _, _ in
      url
    },
    body: @escaping @Sendable (NotificationContent) -> Data
  ) -> PreparedDelivery {
    let endpoint = self
    return PreparedDelivery(host: host, mask: mask) { content, context in
      HTTPDelivery.send(
        url: target(endpoint.url, content, context), method: "POST", headers: endpoint.headers,
        body: body(content), contentType: contentType, deadline: context.deadline,
        limit: context.limit)
    }
  }
}
