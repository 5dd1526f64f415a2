import ArgumentParser
import FoundationEssentials
import OrchestrateKit

/// Custom completions: the shell scripts call the binary back with the
/// words typed so far, and these list the candidates from the root those
/// words (or $ORCHESTRATE_ROOT, or the current directory) name.
enum Completions {
  /// A pipeline; and where bash asks it for a word starting with `-` after
  /// the pipeline, the flags of its bool parameters, which only the file
  /// declares (the scripts list the options the command itself knows).
  static let pipeline = CompletionKind.custom { words, index, prefix in
    let (candidates, typed) = read(words, index)
    return prefix.hasPrefix("-")
      ? candidates.parameterFlags(in: typed, matching: prefix)
      : candidates.pipelines(matching: prefix)
  }

  static let recordedPipeline = CompletionKind.custom { words, index, prefix in
    read(words, index).candidates.recordedPipelines(matching: prefix)
  }

  /// A run id, or with `--last` a pipeline that has runs.
  static let run = CompletionKind.custom { words, index, prefix in
    let (candidates, typed) = read(words, index)
    return typed.contains("--last")
      ? candidates.recordedPipelines(matching: prefix)
      : candidates.runIDs(matching: prefix)
  }

  /// A task of the run named before it (`logs RUN <TAB>`).
  static let task = CompletionKind.custom { words, index, prefix in
    let (candidates, typed) = read(words, index)
    return candidates.tasks(in: typed, matching: prefix)
  }

  /// An environment of the pipeline named on the line.
  static let environment = CompletionKind.custom { words, index, prefix in
    let (candidates, typed) = read(words, index)
    return candidates.environments(in: typed, matching: prefix)
  }

  private static func read(_ words: [String], _ index: Int) -> (
    candidates: CompletionCandidates, typed: CompletionWords
  ) {
    let typed = CompletionWords(
      words, current: index, commandWords: 1 + CommandPath.subcommandWords(words.dropFirst()))
    let candidates = CompletionCandidates(
      layout: RootLayout.resolve(
        rootOption: typed.root, environment: ProcessInfo.processInfo.environment))
    return (candidates, typed)
  }
}
