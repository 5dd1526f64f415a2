import Foundation
import TestSupport
import Testing

/// The bash completion script, loaded into a real bash, offers pipeline
/// names from the root's pipelines/ and run ids for `logs`.
@Suite struct CompletionTests {
  /// What bash offers for `words`, the last being the word being typed;
  /// the function is called as bash calls it: command, word, previous word.
  func complete(_ words: [String], script: String, directory: String) throws -> [String] {
    let program = """
      source "$1"; shift
      COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
      COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
      _orchestrate "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
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
    #expect(
      try complete(
        ["orchestrate", "runs", "--since", "14d", "--root", root.path, ""], script: script,
        directory: here) == ["daily"])
  }

  /// What only the pipeline file or the run's record knows.
  @Test func bashCompletesTasksEnvironmentsAndParameterFlags() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/daily.yaml",
      """
      sources: [geo, sra]
      params:
        full_refresh: {type: bool, default: false}
        region: {type: string, default: eu}
      environments: {dev: {}, prod: {}, staging: {}}
      tasks:
        - {name: download, for_each_source: true, run: 'true'}
        - {name: transform, depends_on: [download], run: 'true'}
      """)
    #expect(try Orchestrate.run(["daily", "--root", root.path]).exitCode == 0)
    let runID = try root.onlyRecord("daily").runId
    let script = root.write(
      "orchestrate.bash",
      try Orchestrate.run(["--generate-completion-script", "bash"]).stdout)
    let here = root.path

    #expect(
      try complete(["orchestrate", "logs", runID, ""], script: script, directory: here)
        == ["download", "download[geo]", "download[sra]", "transform"])
    #expect(
      try complete(["orchestrate", "logs", runID, "download["], script: script, directory: here)
        == ["download[geo]", "download[sra]"])
    #expect(
      try complete(
        ["orchestrate", "logs", "--last", "daily", "tr"], script: script, directory: here)
        == ["transform"])

    #expect(
      try complete(["orchestrate", "run", "daily", "-e", ""], script: script, directory: here)
        == ["dev", "prod", "staging"])
    #expect(
      try complete(
        ["orchestrate", "validate", "pipelines/daily.yaml", "--environment", "s"], script: script,
        directory: here) == ["staging"])
    #expect(
      try complete(
        ["orchestrate", "backfill", file, "--from", "2026-11-01", "-e", "p"], script: script,
        directory: here) == ["prod"])
    #expect(
      try complete(["orchestrate", "rerun", runID, "-e", "d"], script: script, directory: here)
        == ["dev"])

    // Bool parameters only: region is given with --param.
    #expect(
      try complete(["orchestrate", "run", "daily", "--full"], script: script, directory: here)
        == ["--full-refresh"])
    #expect(
      try complete(["orchestrate", "run", "daily", "--no-"], script: script, directory: here)
        == ["--no-full-refresh"])
    let options = try complete(
      ["orchestrate", "run", "daily", "--"], script: script, directory: here)
    #expect(options.contains("--full-refresh") && options.contains("--dry-run"), "\(options)")
    #expect(!options.contains("--region"))
  }

  @Test func everyShellGetsAScript() throws {
    for shell in ["bash", "zsh", "fish"] {
      let result = try Orchestrate.run(["--generate-completion-script", shell])
      #expect(result.exitCode == 0)
      #expect(result.stdout.contains("---completion"), "\(shell)")
    }
  }
}
