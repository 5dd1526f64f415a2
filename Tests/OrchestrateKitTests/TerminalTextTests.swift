import Testing

@testable import OrchestrateStatus

@Suite struct TerminalTextTests {
  @Test(arguments: [
    ("plain text, ünïcode ✓", "plain text, ünïcode ✓"),
    ("\u{1B}]52;c;eA==\u{7}", #"\e]52;c;eA==\a"#),
    ("\u{1B}[2J\u{1B}]0;t\u{7}", #"\e[2J\e]0;t\a"#),
    ("a\rb\nc\td", #"a\rb\nc\td"#),
    ("\u{0}\u{8}\u{7F}", #"\x00\b\x7F"#),
    ("\u{9B}31m", #"\u{009B}31m"#),
    ("abc\u{202E}fed\u{2066}", #"abc\u{202E}fed\u{2066}"#),
  ])
  func escapesWhatATerminalWouldActOn(text: String, shown: String) {
    #expect(TerminalText.escaped(text) == shown)
  }

  @Test func everyKindOfLineEndEndsALine() {
    #expect(TerminalText.lines("a\nb\r\nc\rd") == ["a", "b", "c", "d"])
    #expect(TerminalText.lines("x\u{1B}[1Ay") == [#"x\e[1Ay"#])
    #expect(TerminalText.lines("") == [""])
  }
}
