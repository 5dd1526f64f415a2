import Foundation
import Testing

@testable import OrchestrateCore
@testable import OrchestrateStatus

/// The YAML node tree and its decoder: YAML 1.1 scalars where the schema
/// asks for them, keys found by their text, aliases, and where things were written.
@Suite struct YAMLNodeTests {
  struct Sample: Decodable, Equatable {
    var on, nothing: String?
    var yes: Bool?
    var count: Int?
    var ratio: Double?
    var names: [String]?
  }

  func decode(_ text: String) throws -> Sample {
    let node = try #require(try YAMLComposer.compose(text))
    return try YAMLNodeDecoder().decode(Sample.self, from: node)
  }

  @Test func keysAreTextAndValuesAreTyped() throws {
    let sample = try decode(
      "on: push\nyes: off\ncount: 0x1F\nratio: 1_000.5\nnames: [a, 'b', \"c\"]\nnothing: ~\n")
    #expect(
      sample
        == Sample(
          on: "push", nothing: nil, yes: false, count: 31, ratio: 1000.5, names: ["a", "b", "c"]))
  }

  @Test func quotedScalarsAreOnlyText() throws {
    #expect(throws: DecodingError.self) { try decode("yes: 'true'\n") }
    #expect(throws: DecodingError.self) { try decode("count: \"5\"\n") }
    #expect(try decode("on: 'yes'\n").on == "yes")
    #expect(try decode("on: yes\n").on == "yes")
  }

  @Test func aliasesShareTheirAnchorsNode() throws {
    let node = try #require(try YAMLComposer.compose("a: &x [1, 2]\nb: *x\n"))
    #expect(node["b"]?.sequence?.count == 2)
    #expect(throws: YAMLSyntaxError.self) { try YAMLComposer.compose("b: *nothing\n") }
  }

  @Test func marksAndErrors() throws {
    let node = try #require(try YAMLComposer.compose("a: 1\nlist:\n  - x\n  - y\n"))
    #expect(node["list"]?.sequence?[1].mark == YAMLMark(line: 4, column: 5))
    do {
      _ = try YAMLComposer.compose("a: b: c\n")
      Issue.record("a mapping value inside a plain scalar was accepted")
    } catch {
      #expect(error.message == "mapping values are not allowed in this context")
      #expect(error.mark == YAMLMark(line: 1, column: 5))
    }
    #expect(throws: YAMLSyntaxError.self) { try YAMLComposer.compose("a: 1\n---\nb: 2\n") }
    #expect(try YAMLComposer.compose("") == nil)
  }

  @Test func nestingIsBounded() {
    let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
    #expect(throws: YAMLSyntaxError.self) { try YAMLComposer.compose(deep) }
  }

  @Test func typeErrorsNameWhatWasExpected() throws {
    do {
      _ = try decode("count: many\n")
      Issue.record("a word decoded as a number")
    } catch DecodingError.typeMismatch(let type, let context) {
      #expect(type is Int.Type)
      #expect(context.codingPath.map(\.stringValue) == ["count"])
    }
    do {
      _ = try decode("names: {a: 1}\n")
      Issue.record("a mapping decoded as a list")
    } catch DecodingError.typeMismatch(let type, _) {
      #expect(type is [Any].Type)
    }
  }
}
