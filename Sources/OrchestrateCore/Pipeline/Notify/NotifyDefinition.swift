/// One `notify:` entry exactly as written: one of `webhook`, `slack`,
/// `email`, `ping`, with `on`, `every_run` and `repeat`.
struct NotifyChannelDefinition: Decodable {
  var webhook: EndpointDefinition?
  var slack: EndpointDefinition?
  var email: EmailDefinition?
  var ping: EndpointDefinition?
  var on: [String]?
  var everyRun: Bool?
  var repeatAfter: DurationSetting?
  var line: Int?

  enum CodingKeys: String, CodingKey, CaseIterable {
    case webhook, slack, email, ping, on
    case everyRun = "every_run"
    case repeatAfter = "repeat"
  }

  init(from decoder: Decoder) throws {
    try decoder.rejectUnknownKeys(besides: CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    line = decoder.mark?.line
    webhook = try c.decodeIfPresent(EndpointDefinition.self, forKey: .webhook)
    slack = try c.decodeIfPresent(EndpointDefinition.self, forKey: .slack)
    email = try c.decodeIfPresent(EmailDefinition.self, forKey: .email)
    ping = try c.decodeIfPresent(EndpointDefinition.self, forKey: .ping)
    on = try c.decodeOneOrMany(forKey: .on)
    everyRun = try c.decodeIfPresent(Bool.self, forKey: .everyRun)
    repeatAfter = try c.decodeIfPresent(DurationSetting.self, forKey: .repeatAfter)
  }
}

/// `{url_env: NAME, headers_env: {Header: NAME}}`. A literal `url` is
/// decoded only to be refused with a message that says why.
struct EndpointDefinition: Decodable {
  var urlEnv: String?
  var headersEnv: [String: String]?
  var hasLiteralURL: Bool
  var hasLiteralHeaders: Bool

  enum CodingKeys: String, CodingKey, CaseIterable {
    case url, headers
    case urlEnv = "url_env"
    case headersEnv = "headers_env"
  }

  init(from decoder: Decoder) throws {
    try decoder.rejectUnknownKeys(besides: CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    urlEnv = try c.decodeIfPresent(String.self, forKey: .urlEnv)
    headersEnv = try c.decodeIfPresent([String: String].self, forKey: .headersEnv)
    hasLiteralURL = c.contains(.url)
    hasLiteralHeaders = c.contains(.headers)
  }
}

struct EmailDefinition: Decodable {
  var to: [String]
  var from: String?
  var sendmail: String?

  enum CodingKeys: String, CodingKey, CaseIterable {
    case to, from, sendmail
  }

  init(from decoder: Decoder) throws {
    try decoder.rejectUnknownKeys(besides: CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    guard let to = try c.decodeOneOrMany(forKey: .to) else {
      throw DecodingError.keyNotFound(
        CodingKeys.to, .init(codingPath: decoder.codingPath, debugDescription: "is required"))
    }
    self.to = to
    from = try c.decodeIfPresent(String.self, forKey: .from)
    sendmail = try c.decodeIfPresent(String.self, forKey: .sendmail)
  }
}

extension KeyedDecodingContainer {
  /// `on: failure` as well as `on: [failure, recovery]`.
  func decodeOneOrMany(forKey key: Key) throws -> [String]? {
    if let single = try? decodeIfPresent(String.self, forKey: key) { return [single] }
    return try decodeIfPresent([String].self, forKey: key)
  }
}
