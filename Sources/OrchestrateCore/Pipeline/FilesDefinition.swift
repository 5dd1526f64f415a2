/// `files: {readable_by: group, others_may_write: false}`: who may read what
/// a run writes under the pipeline's folders, and whether a tree every user
/// can write is accepted.
struct FilesDefinition: Decodable {
  var readableBy: FileReaders?
  var othersMayWrite: Bool?

  enum CodingKeys: String, CodingKey, CaseIterable {
    case readableBy = "readable_by"
    case othersMayWrite = "others_may_write"
  }

  init(from decoder: Decoder) throws {
    try decoder.rejectUnknownKeys(besides: CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    readableBy = try c.decodeIfPresent(FileReaders.self, forKey: .readableBy)
    othersMayWrite = try c.decodeIfPresent(Bool.self, forKey: .othersMayWrite)
  }
}

/// Besides the user running orchestrate, who may read the records, journals
/// and task logs of a pipeline. Task output can hold anything a program
/// printed, so nobody outside the group sees it unless the pipeline says so.
public enum FileReaders: String, Sendable, CaseIterable, Decodable {
  case owner, group, everyone

  /// The read and search bits of the pipeline's folders in metrics/ and
  /// logs/; what is created in them takes its read bits from its folder.
  public var directoryMode: UInt32 {
    switch self {
    case .owner: 0o700
    case .group: 0o750
    case .everyone: 0o755
    }
  }

  public init(from decoder: Decoder) throws { self = try decoder.spelling(of: Self.self) }
}

/// The pipeline's `files:` settings, with their defaults.
public struct FileSettings: Sendable, Equatable {
  public var readableBy: FileReaders = .group
  public var othersMayWrite = false

  public init() {}
}
