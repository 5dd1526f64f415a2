/// `metrics: {delete_after: 400d}`: how long run records are kept.
struct MetricsDefinition: Decodable {
  var deleteAfter: DurationSetting?

  enum CodingKeys: String, CodingKey, CaseIterable {
    case deleteAfter = "delete_after"
  }

  init(from decoder: Decoder) throws {
    try decoder.rejectUnknownKeys(besides: CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    deleteAfter = try c.decodeIfPresent(DurationSetting.self, forKey: .deleteAfter)
  }
}

/// `health: {min_success_rate: 0.8}`: what status calls unhealthy.
struct HealthDefinition: Decodable {
  var minSuccessRate: Double?

  enum CodingKeys: String, CodingKey, CaseIterable {
    case minSuccessRate = "min_success_rate"
  }

  init(from decoder: Decoder) throws {
    try decoder.rejectUnknownKeys(besides: CodingKeys.self)
    let c = try decoder.container(keyedBy: CodingKeys.self)
    minSuccessRate = try c.decodeIfPresent(Double.self, forKey: .minSuccessRate)
  }
}
