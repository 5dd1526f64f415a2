import FoundationEssentials

/// What one kind of channel does when a message goes out: the variables it
/// reads and how it turns them into a delivery ready to send. A new kind of
/// channel is a file in this folder and its case in `sender`; nothing else
/// in delivery, preflight or `notify test` knows the kinds.
protocol ChannelSender: Sendable {
  /// The variables it reads when it sends, by the field that names them.
  var variables: [(field: String, name: String)] { get }
  /// Reads its secrets from `environment`; nothing is sent yet.
  func prepare(environment: [String: String]) -> Result<PreparedDelivery, ChannelProblem>
}

/// Why a channel could not be prepared: nothing was sent.
struct ChannelProblem: Error {
  var host: String?
  var message: String
}

/// The time a delivery has and what it is called in its error text.
struct DeliveryContext: Sendable {
  /// Ties a ping's start to its end (healthchecks.io's `rid`).
  var pingRun: UUID
  var deadline: Date
  var limit: String
}

/// A channel with its secrets read: where it goes, what hides the secrets
/// in any text that could carry them, and the call that sends.
struct PreparedDelivery: Sendable {
  var host: String?
  var mask: SecretMask
  var send: @Sendable (NotificationContent, DeliveryContext) -> HTTPDelivery.Outcome

  /// Sends `content`; the error and the endpoint's answer come back masked.
  func deliver(_ content: NotificationContent, _ context: DeliveryContext) -> HTTPDelivery.Outcome {
    var outcome = send(content, context)
    outcome.error = outcome.error.map(mask.apply)
    outcome.answer = outcome.answer.map(mask.apply)
    return outcome
  }
}

extension NotifyChannel.Kind {
  var sender: any ChannelSender {
    switch self {
    case .webhook(let url, let headers):
      WebhookChannel(urlVariable: url, headerVariables: headers)
    case .slack(let url): SlackChannel(urlVariable: url)
    case .email(let to, let from, let sendmail):
      EmailChannel(to: to, from: from, sendmail: sendmail)
    case .ping(let url): PingChannel(urlVariable: url)
    }
  }
}
