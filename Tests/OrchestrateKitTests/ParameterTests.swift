import Foundation
import Testing

@testable import OrchestrateCore
@testable import OrchestrateStatus

@Suite struct DotEnvTests {
  @Test(arguments: [
    ("KEY=value", [("KEY", "value")]),
    ("export KEY=value", [("KEY", "value")]),
    ("  KEY = value  ", [("KEY", "value")]),
    ("KEY=value # comment", [("KEY", "value")]),
    ("KEY=value#not-a-comment", [("KEY", "value#not-a-comment")]),
    ("# only a comment\n\nA=1", [("A", "1")]),
    ("KEY='single $quoted # kept'", [("KEY", "single $quoted # kept")]),
    ("KEY=\"double\\nline \\\"q\\\"\"", [("KEY", "double\nline \"q\"")]),
    ("KEY=\"with # hash\" # comment", [("KEY", "with # hash")]),
    ("EMPTY=", [("EMPTY", "")]),
    ("A=1\r\nB=2\r\n", [("A", "1"), ("B", "2")]),
    ("URL=postgres://u:p@h/db?x=1", [("URL", "postgres://u:p@h/db?x=1")]),
  ])
  func parses(text: String, expected: [(String, String)]) throws {
    let entries = try DotEnv.parse(text)
    #expect(entries.map(\.key) == expected.map(\.0))
    #expect(entries.map(\.value) == expected.map(\.1))
  }

  @Test(arguments: [
    ("just text", 1, "expected KEY=value"),
    ("A=1\n1BAD=2", 2, "'1BAD' is not a variable name"),
    ("KEY='open", 1, "the value's ' quote is not closed"),
    ("KEY=\"x\" trailing", 1, "unexpected text after the closing quote"),
  ])
  func refuses(text: String, line: Int, message: String) {
    #expect(throws: DotEnv.Problem(line: line, message: message)) { try DotEnv.parse(text) }
  }
}

@Suite struct ArgvExpansionTests {
  @Test func replacesNamesAndKeepsEscapedOnes() throws {
    let values = ["REGION": "eu", "DAY": "2026-11-30"]
    #expect(
      try ArgvExpansion.expand([
        "fetch", "--region=${REGION}", "${DAY}/${REGION}", "$${LITERAL}", "$HOME",
      ]) {
        values[$0]
      } == ["fetch", "--region=eu", "2026-11-30/eu", "${LITERAL}", "$HOME"])
    #expect(try ArgvExpansion.variables(in: ["${A}x${B}", "$${C}"]) == ["A", "B"])
  }

  @Test func refusesUnsetAndMalformedNames() {
    #expect(throws: ArgvExpansion.Problem.self) {
      try ArgvExpansion.expand(["${MISSING}"]) { _ in nil }
    }
    #expect(throws: ArgvExpansion.Problem.self) { try ArgvExpansion.variables(in: ["${OPEN"]) }
    #expect(throws: ArgvExpansion.Problem.self) { try ArgvExpansion.variables(in: ["${1X}"]) }
  }
}

@Suite struct ParameterValueTests {
  @Test func valuesAreCheckedAndMadeCanonical() throws {
    let int = Parameter(
      name: "n", kind: .int, defaultValue: nil, required: true, secret: false, description: nil,
      choices: [])
    #expect(try int.value(of: " 42").get() == "42")
    #expect((try? int.value(of: "4.2").get()) == nil)
    var bool = int
    bool.kind = .bool
    #expect(try bool.value(of: "yes").get() == "true")
    #expect(try bool.value(of: "OFF").get() == "false")
    #expect((try? bool.value(of: "maybe").get()) == nil)
    var choice = int
    choice.kind = .choice
    choice.choices = ["eu", "us"]
    #expect(try choice.value(of: "eu").get() == "eu")
    #expect((try? choice.value(of: "asia").get()) == nil)
    var date = int
    date.kind = .date
    #expect(try date.value(of: "2024-02-29").get() == "2024-02-29")
    #expect((try? date.value(of: "2026-02-29").get()) == nil)
    #expect((try? date.value(of: "2026-1-05").get()) == nil)
  }

  @Test func logicalDateIsTheStartLessTheOffsetInTheZone() {
    let start = Date(timeIntervalSince1970: 1_796_004_000)  // 2026-11-30T01:20:00Z
    let utc = ZoneInfo.named("UTC")!
    #expect(LogicalDate.of(start: start, offset: .zero, timeZone: utc) == "2026-11-30")
    #expect(LogicalDate.of(start: start, offset: .seconds(86400), timeZone: utc) == "2026-11-29")
    let newYork = ZoneInfo.named("America/New_York")!
    #expect(LogicalDate.of(start: start, offset: .zero, timeZone: newYork) == "2026-11-29")
    #expect(
      LogicalDate.range(from: "2026-02-27", to: "2026-03-02")
        == ["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"])
    #expect(LogicalDate.range(from: "2026-03-02", to: "2026-03-01") == nil)
  }

  @Test func secretsAreMaskedLongestFirstAndShortOnesLeftAlone() {
    let mask = SecretMask(["abc", "token-123", "token-123456"])
    #expect(mask.apply("a token-123456 and token-123 and abc") == "a *** and *** and abc")
  }
}
