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

  /// The run record at `path`; nil when it is missing, does not decode, or
  /// names another run than its file does.
  public static func readRecord(at path: String, decoder: JSONDecoder = decoder()) -> RunRecord? {
    guard let data = FileManager.default.contents(atPath: path),
      let record = try? decoder.decode(RunRecord.self, from: data),
      namesItsFile(runId: record.runId, file: PathName.last(path))
    else { return nil }
    return record
  }

  /// A record's `run_id` becomes part of paths (its logs, its report page):
  /// only a run id that is its own file's name (`<run_id>.json`) is taken,
  /// so a record cannot point elsewhere (`../../x`).
  public static func namesItsFile(runId: String, file: String) -> Bool {
    file.utf8.count == runId.utf8.count + 5 && file.hasSuffix(".json") && file.hasPrefix(runId)
      && RunID.isWellFormed(runId)
  }

  /// A record whose `run_id` is not its file's name: damaged, not followed.
  public struct MisnamedRecord: Error, CustomStringConvertible {
    public var runId: String
    public var file: String
    public var description: String {
      "its run_id '\(Names.printable(runId))' is not its file's name: a damaged or forged record"
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
