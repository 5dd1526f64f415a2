import FoundationEssentials

/// The words of a command line being completed, read for what they name:
/// the root (`--root`), the pipeline, the run. Only what a shell passes back
/// is known: the line may be half typed and wrong, so nothing here fails,
/// it finds less.
public struct CompletionWords {
  public var words: [String]
  /// The index in `words` of the word being completed.
  public var current: Int
  /// How many words name the program and the subcommand (`orchestrate
  /// logs`: 2), before the subcommand's own.
  public var commandWords: Int

  public init(_ words: [String], current: Int, commandWords: Int) {
    self.words = words
    self.current = current
    self.commandWords = commandWords
  }

  /// Options whose next word is their value, not a pipeline or a run.
  static let takingValues: Set<String> = [
    "--root", "--source", "-p", "--param", "-e", "--environment", "--date", "--max-parallel",
    "--report", "--task", "--from", "--to", "--channel", "--attempt", "--days", "--prometheus",
    "--status", "--since", "--until", "--trigger", "--limit",
  ]

  /// `--root DIR` or `--root=DIR`.
  public var root: String? {
    var root: String?
    for (index, word) in words.enumerated() {
      if word == "--root", index + 1 < words.count {
        root = words[index + 1]
      } else if word.hasPrefix("--root=") {
        root = String(word.dropFirst("--root=".count))
      }
    }
    return root
  }

  /// The words that may name a pipeline or a run: not the command's,
  /// not options nor their values, not the word being completed.
  var arguments: [String] {
    var found: [String] = []
    var index = commandWords
    while index < words.count {
      let word = words[index]
      if Self.takingValues.contains(word) {
        index += 2
        continue
      }
      if index != current && !word.hasPrefix("-") && !word.isEmpty { found.append(word) }
      index += 1
    }
    return found
  }

  public func contains(_ word: String) -> Bool { words.contains(word) }
}
