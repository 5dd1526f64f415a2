import FoundationEssentials

/// `schedule:`, read as a cron expression while the file is decoded, so a
/// mistake is reported at its line and column.
struct ScheduleSetting: Decodable, Equatable {
  var expression: CronExpression

  init(from decoder: Decoder) throws {
    let text = try decoder.singleValueContainer().decode(String.self)
    do {
      expression = try CronExpression(parsing: text)
    } catch {
      // The loader adds `offset` to the value's column.
      throw DecodingError.dataCorrupted(
        .init(
          codingPath: decoder.codingPath, debugDescription: error.message, underlyingError: error))
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
