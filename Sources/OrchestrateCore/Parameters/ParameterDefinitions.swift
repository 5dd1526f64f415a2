/// `params:`, `environments:` and `when:` exactly as written, before
/// validation. Every type here rejects keys it does not know.
struct ParameterDefinition: Decodable {
  var type: String?
  var defaultValue: ScalarText?
  var description: String?
  var required: Bool?
  var secret: Bool?
  var choices: [ScalarText]?
  var line: Int?

  enum CodingKeys: String, CodingKey, CaseIterable {
    case type, description, required, secret, choices
    case defaultValue = "default"
  }

  init(from decoder: Decoder) throws {
    try decoder.rejectUnknownKeys(besides: CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    line = decoder.mark?.line
    type = try c.decodeIfPresent(String.self, forKey: .type)
    defaultValue = try c.decodeIfPresent(ScalarText.self, forKey: .defaultValue)
    description = try c.decodeIfPresent(String.self, forKey: .description)
    required = try c.decodeIfPresent(Bool.self, forKey: .required)
    secret = try c.decodeIfPresent(Bool.self, forKey: .secret)
    choices = try c.decodeIfPresent([ScalarText].self, forKey: .choices)
  }
}

struct EnvironmentDefinition: Decodable {
  var env: [String: String]?
  var envFile: String?
  var params: [String: ScalarText]?
  var maxParallel: Int?
  var timeout: DurationSetting?
  var notify: [NotifyChannelDefinition]?
  var line: Int?

  enum CodingKeys: String, CodingKey, CaseIterable {
    case env, params, timeout, notify
    case envFile = "env_file"
    case maxParallel = "max_parallel"
  }

  init(from decoder: Decoder) throws {
    try decoder.rejectUnknownKeys(besides: CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    line = decoder.mark?.line
    env = try c.decodeIfPresent([String: String].self, forKey: .env)
    envFile = try c.decodeIfPresent(String.self, forKey: .envFile)
    params = try c.decodeIfPresent([String: ScalarText].self, forKey: .params)
    maxParallel = try c.decodeIfPresent(Int.self, forKey: .maxParallel)
    timeout = try c.decodeIfPresent(DurationSetting.self, forKey: .timeout)
    notify = try c.decodeIfPresent([NotifyChannelDefinition].self, forKey: .notify)
  }
}

/// `when: full_refresh`, `when: {region: eu}`, `when: {not: full_refresh}`.
indirect enum ConditionDefinition: Decodable {
  case flag(String)
  case equals(String, String)
  case not(ConditionDefinition)

  init(from decoder: Decoder) throws {
    if let name = try? decoder.singleValueContainer().decode(String.self) {
      self = .flag(name)
      return
    }
    let c = try decoder.container(keyedBy: AnyCodingKey.self)
    guard c.allKeys.count == 1, let key = c.allKeys.first else {
      throw DecodingError.dataCorrupted(
        .init(
          codingPath: decoder.codingPath,
          debugDescription:
            "write a parameter name, {name: value} or {not: condition} (one key)"))
    }
    if key.stringValue == "not" {
      self = .not(try c.decode(ConditionDefinition.self, forKey: key))
    } else {
      self = .equals(key.stringValue, try c.decode(ScalarText.self, forKey: key).text)
    }
  }
}

/// A scalar as text, whether the file wrote it as a string, a number or a
/// boolean (JSON keeps the difference; YAML hands every scalar over as text).
struct ScalarText: Decodable, Equatable {
  var text: String

  init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if let value = try? c.decode(String.self) {
      text = value
    } else if let value = try? c.decode(Bool.self) {
      text = value ? "true" : "false"
    } else if let value = try? c.decode(Int.self) {
      text = String(value)
    } else {
      text = String(try c.decode(Double.self))
    }
  }
}
