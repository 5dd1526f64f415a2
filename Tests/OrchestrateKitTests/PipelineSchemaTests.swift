import Foundation
import Testing

@testable import OrchestrateCore
@testable import OrchestrateStatus

/// docs/pipeline.schema.json names exactly the fields the loader reads, so
/// an editor never flags a field that works nor offers one that does not.
@Suite struct PipelineSchemaTests {
  let schema: [String: Any]

  init() throws {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../docs/pipeline.schema.json").standardized
    schema = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: path)) as? [String: Any])
  }

  /// The object at a path of keys in the schema.
  func object(_ keys: String...) -> [String: Any] {
    keys.reduce(schema) { ($0[$1] as? [String: Any]) ?? [:] }
  }

  func properties(_ keys: String...) -> Set<String> {
    Set(
      (keys.reduce(schema) { ($0[$1] as? [String: Any]) ?? [:] }["properties"] as? [String: Any])?
        .keys.map { $0 } ?? [])
  }

  func names<Keys: CodingKey & CaseIterable>(_ keys: Keys.Type) -> Set<String> {
    Set(Keys.allCases.map(\.stringValue))
  }

  @Test func everyObjectNamesTheLoadersFields() {
    #expect(properties() == names(PipelineDefinition.CodingKeys.self))
    #expect(
      properties("$defs", "task")
        == names(TaskDefinition.CodingKeys.self).union(names(TaskSettings.CodingKeys.self)))
    #expect(properties("properties", "defaults") == names(TaskSettings.CodingKeys.self))
    #expect(properties("properties", "logs") == names(LogPolicyDefinition.CodingKeys.self))
    #expect(properties("properties", "anomalies") == names(AnomalyDefinition.CodingKeys.self))
    #expect(properties("properties", "metrics") == names(MetricsDefinition.CodingKeys.self))
    #expect(properties("properties", "health") == names(HealthDefinition.CodingKeys.self))
    #expect(properties("properties", "report") == names(ReportDefinition.CodingKeys.self))
    #expect(properties("$defs", "parameter") == names(ParameterDefinition.CodingKeys.self))
    #expect(properties("$defs", "environment") == names(EnvironmentDefinition.CodingKeys.self))
    let schedule = object("properties", "schedule")["oneOf"] as? [[String: Any]] ?? []
    #expect(
      Set(schedule.compactMap { $0["properties"] as? [String: Any] }.flatMap(\.keys))
        == names(ScheduleSetting.CodingKeys.self))
  }

  @Test func enumerationsListTheLoadersValues() {
    func values(_ keys: String...) -> [String] {
      (keys.reduce(schema) { ($0[$1] as? [String: Any]) ?? [:] }["enum"] as? [String]) ?? []
    }
    #expect(
      values("$defs", "task", "properties", "run_if") == RunCondition.allCases.map(\.rawValue))
    #expect(
      values("properties", "logs", "properties", "compression")
        == LogCompression.allCases.map(\.rawValue))
    #expect(
      values("$defs", "parameter", "properties", "type") == Parameter.Kind.allCases.map(\.rawValue))
  }

  @Test func everyObjectWithFieldsIsClosed() {
    var open: [String] = []
    func walk(_ node: Any, _ path: String) {
      if let object = node as? [String: Any] {
        // Closed (false), or a map whose values have a schema of their own.
        if object["properties"] != nil,
          object["additionalProperties"] == nil
            || object["additionalProperties"] as? Bool == true
        {
          open.append(path)
        }
        for (key, value) in object { walk(value, "\(path)/\(key)") }
      } else if let array = node as? [Any] {
        for (index, value) in array.enumerated() { walk(value, "\(path)/\(index)") }
      }
    }
    walk(schema, "")
    #expect(open.isEmpty, "\(open)")
  }
}
