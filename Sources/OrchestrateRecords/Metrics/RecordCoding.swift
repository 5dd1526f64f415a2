import FoundationEssentials
import Glibc

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
    guard case .contents(let data) = readBounded(path),
      let record = try? decoder.decode(RunRecord.self, from: data),
      namesItsFile(runId: record.runId, file: PathName.last(path))
    else { return nil }
    return record
  }

  /// The largest record read: a run of thousands of tasks writes a few MB;
  /// a file far larger is damaged or planted, and reading it whole (once
  /// per page that shows it) would let it fill memory.
  public static let largestRecord = 16 << 20

  public enum Bounded {
    case contents(Data)
    case unreadable(String)
  }

  /// A record file's bytes, when it is no larger than `largestRecord`.
  public static func readBounded(_ path: String) -> Bounded {
    var info = stat()
    guard stat(path, &info) == 0 else {
      return .unreadable("cannot read: \(String(cString: strerror(errno)))")
    }
    guard info.st_size <= largestRecord else {
      return .unreadable(
        "larger than \(largestRecord >> 20) MiB (\(ByteCount.format(Int64(info.st_size)))): "
          + "not read")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      return .unreadable("cannot read: \(String(cString: strerror(errno)))")
    }
    return .contents(data)
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
