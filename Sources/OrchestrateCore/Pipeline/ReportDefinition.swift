import FoundationEssentials

/// `report: {path: report}`: the HTML report each run brings up to date
/// when it ends (see `RunEndReport`).
struct ReportDefinition: Decodable {
  var path: String

  enum CodingKeys: String, CodingKey, CaseIterable {
    case path
  }

  init(from decoder: Decoder) throws {
    try decoder.rejectUnknownKeys(besides: CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    path = try c.decode(String.self, forKey: .path)
    if path.trimmed.isEmpty {
      throw DecodingError.dataCorruptedError(
        forKey: .path, in: c,
        debugDescription: "must name a directory (relative to the root, or absolute)")
    }
  }
}
