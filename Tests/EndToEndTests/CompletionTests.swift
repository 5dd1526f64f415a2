import Foundation
import TestSupport
import Testing

/// The bash completion script, loaded into a real bash, offers pipeline
/// names from the root's pipelines/ and run ids for `logs`.
@Suite struct CompletionTests {
  /// What bash offers for `words`, the last being the word being typed.
  func complete(_ words: [String], script: String, directory: String) throws -> [String] {
    let program = """
      source "$1"; shift
      COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
      COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
      _orchestrate
      printf '%s\\n' "${COMPREPLY[@]}"
      """
    let result = try system(
      [
        "env", "PATH=\(Orchestrate.packageRoot)/.build/debug:/usr/bin:/bin", "bash", "-c", program,
        "bash", script,
      ]
        + words, in: directory)
    #expect(result.status == 0)
    return result.output.split(separator: "\n").map(String.init).sorted()
  }

  @Test func bashCompletesPipelinesAndRunIDs() throws {
    let root = TestRoot()
    root.write("pipelines/daily.yaml", "tasks: [{name: a, run: 'true'}]")
    root.write("pipelines/weekly.json", #"{"tasks": [{"name": "a", "run": "true"}]}"#)
    root.write("pipelines/notes.txt", "")
    root.write("here/local.yaml", "tasks: [{name: a, run: 'true'}]")
    #expect(try Orchestrate.run(["daily", "--root", root.path]).exitCode == 0)
    let runID = try root.onlyRecord("daily").runId
    let script = root.write(
      "orchestrate.bash",
      try Orchestrate.run(["--generate-completion-script", "bash"]).stdout)

    let here = "\(root.path)/here"
    #expect(
      try complete(
        ["orchestrate", "run", "--root", root.path, ""], script: script, directory: here)
        == ["daily", "local.yaml", "weekly"])
    #expect(
      try complete(
        ["orchestrate", "validate", "--root", root.path, "we"], script: script, directory: here)
        == ["weekly"])
    #expect(
      try complete(
        ["orchestrate", "logs", "--root", root.path, ""], script: script, directory: here)
        == [runID])
    #expect(
      try complete(
        ["orchestrate", "logs", "--last", "--root", root.path, ""], script: script, directory: here)
        == ["daily"])
  }

  @Test func everyShellGetsAScript() throws {
    for shell in ["bash", "zsh", "fish"] {
      let result = try Orchestrate.run(["--generate-completion-script", shell])
      #expect(result.exitCode == 0)
      #expect(result.stdout.contains("---completion"), "\(shell)")
    }
  }
}
