import FoundationEssentials

/// `orchestrate statsu`: `run` is the default command, so any first word
/// that is not a subcommand is taken for a pipeline, and a mistyped
/// subcommand would be told "no such pipeline". A word that names no
/// pipeline and is a typo's distance from a subcommand is told as what it
/// most likely is.
public enum MistypedCommand {
  /// The one-line message for `arguments` (the program's own, without its
  /// name), or nil when the first word is a subcommand, an option, a path,
  /// a pipeline that exists, or near no subcommand.
  public static func message(
    _ arguments: [String], commands: [String], environment: [String: String]
  ) -> String? {
    guard let word = arguments.first, !word.hasPrefix("-"), !word.contains("/"),
      !commands.contains(word), word != "help",
      !["json", "yaml", "yml"].contains(PathName.extension(word)),
      let guess = closestMatch(to: word, in: Set(commands))
    else { return nil }
    // A pipeline of that name runs, however close it is to a command.
    if (try? PipelineLocator.locate(word, rootOption: root(in: arguments), environment: environment))
      != nil
    {
      return nil
    }
    return "unknown command '\(word)'; did you mean '\(guess)'?"
  }

  /// `--root DIR` or `--root=DIR`, where the pipeline would be looked for.
  static func root(in arguments: [String]) -> String? {
    var root: String?
    for (index, word) in arguments.enumerated() {
      if word == "--" { break }
      if word == "--root", index + 1 < arguments.count {
        root = arguments[index + 1]
      } else if word.hasPrefix("--root=") {
        root = String(word.dropFirst("--root=".count))
      }
    }
    return root
  }
}
