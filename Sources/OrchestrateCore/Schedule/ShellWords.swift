/// Words for `/bin/sh`: the crontab lines and the comments beside them (and
/// reading those comments back), job scripts, commands printed to be typed.
package enum ShellWords {
  /// `word` as one shell word: as it is when it holds only characters the
  /// shell takes literally, else in single quotes.
  package static func quote(_ word: String) -> String {
    let plain = word.unicodeScalars.allSatisfy {
      $0.isASCII
        && ($0.properties.isAlphabetic || ("0"..."9").contains($0)
          || "/._-+=:,@".unicodeScalars.contains($0))
    }
    return plain && !word.isEmpty ? word : singleQuoted(word)
  }

  /// `word` in single quotes whatever it holds, so that the shell takes it
  /// literally (a job script's words, quoted all alike).
  package static func singleQuoted(_ word: String) -> String {
    "'" + word.replacing("'", with: "'\\''") + "'"
  }

  /// The words of `text` as `quote` writes them (single quotes, a
  /// backslash before one character); nil for an unclosed quote.
  static func split(_ text: some StringProtocol) -> [String]? {
    var words: [String] = []
    var word: String?
    var iterator = text.makeIterator()
    while let character = iterator.next() {
      switch character {
      case " ", "\t":
        if let finished = word { words.append(finished) }
        word = nil
      case "'":
        var quoted = ""
        while true {
          guard let next = iterator.next() else { return nil }
          if next == "'" { break }
          quoted.append(next)
        }
        word = (word ?? "") + quoted
      case "\\":
        guard let next = iterator.next() else { return nil }
        word = (word ?? "") + String(next)
      default:
        word = (word ?? "") + String(character)
      }
    }
    if let finished = word { words.append(finished) }
    return words
  }
}
