import FoundationEssentials

/// The JSON conventions of every file orchestrate writes: snake_case keys,
/// `Timestamp` dates, readable indentation, keys sorted so that two records
/// diff cleanly (JSONEncoder cannot keep declaration order).
public enum RecordCoding {
  public static func encoder() -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .custom { date, encoder in
      var container = encoder.singleValueContainer()
      try container.encode(Timestamp.format(date))
    }
    return encoder
  }

  /// The run record at `path`; nil when it is missing or does not decode.
  public static func readRecord(at path: String, decoder: JSONDecoder = decoder()) -> RunRecord? {
    FileManager.default.contents(atPath: path).flatMap {
      try? decoder.decode(RunRecord.self, from: $0)
    }
  }

  public static func decoder() -> JSONDecoder {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    decoder.dateDecodingStrategy = .custom { decoder in
      let container = try decoder.singleValueContainer()
      let text = try container.decode(String.self)
      guard let date = Timestamp.parse(text) else {
        throw DecodingError.dataCorruptedError(
          in: container, debugDescription: "'\(text)' is not an ISO 8601 timestamp")
      }
      return date
    }
    return decoder
  }
}
