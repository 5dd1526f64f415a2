/// How every command of both programs tells a mistyped command line: the
/// message on one line, as every other message of orchestrate, then where
/// the command's options are listed, instead of the argument parser's
/// `Error:` line and the whole usage (a second style, and a wall of text in
/// cron mail).
public enum UsageMessage {
  /// `orchestrate: unknown option '--bogus'` and `(see orchestrate status --help)`.
  public static func render(_ message: String, command: String) -> String {
    "orchestrate: \(sentence(message))\n(see \(command) --help)\n"
  }

  /// The argument parser's messages start with a capital ("Unknown option")
  /// and some span lines; ours are one line starting in lower case. A
  /// capital followed by another (an acronym) is left as it is.
  static func sentence(_ message: String) -> String {
    let oneLine = message.split(whereSeparator: \.isNewline).map(\.trimmed)
      .filter { !$0.isEmpty }.joined(separator: " ")
    let characters = Array(oneLine)
    guard characters.count > 1, characters[0].isUppercase, characters[0].isASCII,
      characters[1].isLowercase
    else { return oneLine }
    return characters[0].lowercased() + String(characters.dropFirst())
  }
}
