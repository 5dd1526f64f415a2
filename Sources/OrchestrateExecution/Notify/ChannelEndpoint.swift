import FoundationEssentials

/// A channel with its secrets read from the environment: where to send,
/// ready for one delivery. Its `mask` hides the URL and header values in
/// any error text that could carry them.
struct ChannelEndpoint {
  enum Target {
    case http(url: URL, headers: [String: String])
    case sendmail(program: String, to: [String], from: String?)
  }

  var channel: NotifyChannel
  var target: Target
  var host: String?
  var mask: SecretMask

  struct Problem: Error {
    var host: String?
    var message: String
  }

  /// Reads the channel's variables from `environment`.
  static func resolve(_ channel: NotifyChannel, environment: [String: String]) -> Result<
    ChannelEndpoint, Problem
  > {
    switch channel.kind {
    case .email(let to, let from, let sendmail):
      return .success(
        ChannelEndpoint(
          channel: channel, target: .sendmail(program: sendmail, to: to, from: from), host: nil,
          mask: SecretMask()))
    case .webhook, .slack, .ping:
      let variable = channel.kind.urlVariable!
      guard let text = environment[variable], !text.isEmpty else {
        return .failure(Problem(message: "\(variable) is not set; nothing sent"))
      }
      guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
        scheme == "https" || scheme == "http", let host = url.host, !host.isEmpty
      else {
        return .failure(Problem(message: "\(variable) does not hold an http(s) URL; nothing sent"))
      }
      var headers: [String: String] = [:]
      var secrets = [text, url.path, url.query ?? ""]
      if case .webhook(_, let headerVariables) = channel.kind {
        for (header, name) in headerVariables.sorted(by: { $0.key < $1.key }) {
          guard let value = environment[name] else {
            return .failure(
              Problem(host: host, message: "\(name) (header \(header)) is not set; nothing sent"))
          }
          guard !value.utf8.contains(where: { $0 == 10 || $0 == 13 || $0 == 0 }) else {
            return .failure(
              Problem(
                host: host, message: "\(name) (header \(header)) holds a line break; nothing sent"))
          }
          headers[header] = value
          secrets.append(value)
        }
      }
      return .success(
        ChannelEndpoint(
          channel: channel, target: .http(url: url, headers: headers), host: host,
          mask: SecretMask(secrets.filter { $0.count > 1 })))
    }
  }
}
