import ArgumentParser
import FoundationEssentials
import OrchestrateKit

/// Custom completions: the shell scripts call the binary back with the
/// words typed so far, and these list the candidates from the root those
/// words (or $ORCHESTRATE_ROOT, or the current directory) name.
enum Completions {
  static let pipeline = CompletionKind.custom { words, _, prefix in
    candidates(words).pipelines(matching: prefix)
  }

  static let recordedPipeline = CompletionKind.custom { words, _, prefix in
    candidates(words).recordedPipelines(matching: prefix)
  }

  /// A run id, or with `--last` a pipeline that has runs.
  static let run = CompletionKind.custom { words, _, prefix in
    words.contains("--last")
      ? candidates(words).recordedPipelines(matching: prefix)
      : candidates(words).runIDs(matching: prefix)
  }

  private static func candidates(_ words: [String]) -> CompletionCandidates {
    var root: String?
    for (index, word) in words.enumerated() {
      if word == "--root", index + 1 < words.count {
        root = words[index + 1]
      } else if word.hasPrefix("--root=") {
        root = String(word.dropFirst("--root=".count))
      }
    }
    return CompletionCandidates(
      layout: RootLayout.resolve(
        rootOption: root, environment: ProcessInfo.processInfo.environment))
  }
}
