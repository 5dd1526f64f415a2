/// `email:` — a plain-text mail handed to sendmail. It reads no variables:
/// addresses are not secrets, and the MTA holds any credentials.
struct EmailChannel: ChannelSender {
  var to: [String]
  var from: String?
  var sendmail: String

  var variables: [(field: String, name: String)] { [] }

  func prepare(environment: [String: String]) -> Result<PreparedDelivery, ChannelProblem> {
    let channel = self
    return .success(
      PreparedDelivery(host: nil, mask: SecretMask()) { content, context in
        SendmailDelivery.send(
          EmailMessage.render(content, to: channel.to, from: channel.from),
          program: channel.sendmail, deadline: context.deadline, limit: context.limit)
      })
  }
}
