import FoundationEssentials

/// `schedule:`, read as a cron expression while the file is decoded, so a
/// mistake is reported at its line and column: either the expression, or a
/// mapping that also says how scheduled runs are started,
/// `{cron: "0 2 * * *", environment: prod, params: {region: eu}}`
/// (checked against `environments:` and `params:` by the validator).
struct ScheduleSetting: Decodable, Equatable {
  var expression: CronExpression
  var environment: String?
  var params: [String: ScalarText]?

  enum CodingKeys: String, CodingKey, CaseIterable {
    case cron, environment, params
  }

  init(from decoder: Decoder) throws {
    if let text = try? decoder.singleValueContainer().decode(String.self) {
      expression = try Self.expression(text, at: decoder.codingPath)
      return
    }
    guard let c = try? decoder.container(keyedBy: CodingKeys.self) else {
      throw DecodingError.dataCorrupted(
        .init(
          codingPath: decoder.codingPath,
          debugDescription:
            "write a cron expression (\"0 2 * * *\") or a mapping "
            + "{cron: \"0 2 * * *\", environment: NAME, params: {NAME: VALUE}}"))
    }
    try decoder.rejectUnknownKeys(besides: CodingKeys.self)
    expression = try Self.expression(
      c.decode(String.self, forKey: .cron), at: decoder.codingPath + [CodingKeys.cron])
    environment = try c.decodeIfPresent(String.self, forKey: .environment)
    params = try c.decodeIfPresent([String: ScalarText].self, forKey: .params)
  }

  private static func expression(_ text: String, at codingPath: [CodingKey]) throws
    -> CronExpression
  {
    do {
      return try CronExpression(parsing: text)
    } catch {
      // The loader adds `offset` to the value's column.
      throw DecodingError.dataCorrupted(
        .init(codingPath: codingPath, debugDescription: error.message, underlyingError: error))
    }
  }
}

/// `timezone:`, an IANA zone name this machine knows.
struct TimeZoneSetting: Decodable, Equatable {
  var identifier: String

  init(from decoder: Decoder) throws {
    identifier = try decoder.singleValueContainer().decode(String.self)
    guard ZoneInfo.named(identifier) != nil, identifier.contains("/") || identifier == "UTC"
    else {
      throw DecodingError.dataCorrupted(
        .init(
          codingPath: decoder.codingPath,
          debugDescription: ZoneInfo.databaseIsMissing
            ? "unknown time zone '\(identifier)': this machine has no tz database in "
              + "\(ZoneInfo.directory) (Debian: apt-get install tzdata)"
            : "unknown time zone '\(identifier)' (write an IANA name such as Europe/Berlin or UTC)")
      )
    }
  }
}
