import Testing

@testable import OrchestrateExecution
@testable import OrchestrateStatus

/// The heuristic that tells a path an earlier task creates from a mistake.
@Suite struct EarlierTaskMentionsTests {
  @Test func wordsAreSplitAtBlanksQuotesAndShellPunctuation() {
    #expect(
      EarlierTaskMentions.words(in: "mkdir -p out/a && cd 'x y' ; make OUT=bin/tool|tee log")
        == ["mkdir", "out/a", "cd", "x", "y", "make", "OUT", "bin/tool", "tee", "log"])
    #expect(EarlierTaskMentions.words(in: "mkdir -p $DIR/x out/*") == ["mkdir"])
  }

  @Test func pathsAreNormalizedWithoutTheFileSystem() {
    #expect(EarlierTaskMentions.normalized("/a/./b/../c/") == "/a/c")
    #expect(EarlierTaskMentions.normalized("/a//b") == "/a/b")
  }

  @Test func aMissingDirectoryAboveThePathCounts() {
    let missing = "/nonexistent-\(UInt64.random(in: 1...UInt64.max))"
    let mentions = [EarlierTaskMentions.Mention(path: "\(missing)/venv", task: "setup")]
    #expect(EarlierTaskMentions.naming("\(missing)/venv/bin/python", in: mentions) == "setup")
    #expect(EarlierTaskMentions.naming("\(missing)/venv", in: mentions) == "setup")
    #expect(EarlierTaskMentions.naming("\(missing)/other", in: mentions) == nil)
    #expect(EarlierTaskMentions.naming("\(missing)/venv/x", in: mentions, exactly: true) == nil)
    // A directory that exists already is named by everything below it: not a creator.
    let existing = [EarlierTaskMentions.Mention(path: "/tmp", task: "t")]
    #expect(EarlierTaskMentions.naming("/tmp/nonexistent-\(#line)", in: existing) == nil)
  }
}
