import FoundationEssentials

/// `webhook:` — the notification itself as JSON (docs/notification.schema.json),
/// with headers whose values come from variables (an `Authorization` token).
struct WebhookChannel: ChannelSender {
  var urlVariable: String
  var headerVariables: [String: String]

  var variables: [(field: String, name: String)] {
    [("url_env", urlVariable)]
      + headerVariables.keys.sorted().map { ("headers_env.\($0)", headerVariables[$0]!) }
  }

  func prepare(environment: [String: String]) -> Result<PreparedDelivery, ChannelProblem> {
    HTTPEndpoint.read(
      urlVariable: urlVariable, headerVariables: headerVariables, environment: environment
    ).map { endpoint in
      endpoint.delivery(contentType: "application/json") { content in
        (try? RecordCoding.encoder().encode(content)) ?? Data()
      }
    }
  }
}
