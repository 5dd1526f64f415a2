/// Words for `/bin/sh`, as the crontab lines and the comments beside them
/// are written, and read back from those comments.
enum ShellWords {
  /// `word` as one shell word: as it is when it holds only characters the
  /// shell takes literally, else in single quotes.
  static func quote(_ word: String) -> String {
    let plain = word.unicodeScalars.allSatisfy {
      $0.isASCII
        && ($0.properties.isAlphabetic || ("0"..."9").contains($0)
          || "/._-+=:,@".unicodeScalars.contains($0))
    }
    return plain && !word.isEmpty ? word : "'" + word.replacing("'", with: "'\\''") + "'"
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
