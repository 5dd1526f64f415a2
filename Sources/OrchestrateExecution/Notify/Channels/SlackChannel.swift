/// `slack:` — an incoming webhook, sent `SlackMessage`'s payload.
struct SlackChannel: ChannelSender {
  var urlVariable: String

  var variables: [(field: String, name: String)] { [("url_env", urlVariable)] }

  func prepare(environment: [String: String]) -> Result<PreparedDelivery, ChannelProblem> {
    HTTPEndpoint.read(urlVariable: urlVariable, environment: environment).map { endpoint in
      endpoint.delivery(contentType: "application/json", body: SlackMessage.payload)
    }
  }
}
