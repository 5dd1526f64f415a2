import FoundationEssentials

/// The comment before each line of orchestrate's crontab block: what the
/// line runs, a sum of the line as written (by which a later install tells
/// a line a person edited), and the arguments `schedule --install` was
/// given, which a later install given none keeps:
///
///     # orchestrate pipeline nightly, sum 1a2b3c4d, given -e prod
///     # orchestrate watchdog, sum 5e6f7a8b
struct EntryComment {
  var subject: CrontabBlock.Subject
  /// nil in comments written before there were sums.
  var sum: String?
  var given: [String] = []
  /// The comment line as read.
  var text: String?

  init?(parsing line: some StringProtocol) {
    var rest: Substring
    if line.hasPrefix(CrontabBlock.pipelinePrefix) {
      rest = Substring(line).dropFirst(CrontabBlock.pipelinePrefix.count)
      let name = rest.prefix { $0 != "," }
      guard !name.isEmpty else { return nil }
      subject = .pipeline(String(name))
      rest = rest.dropFirst(name.count)
    } else if line.hasPrefix(CrontabBlock.watchdogComment) {
      subject = .watchdog
      rest = Substring(line).dropFirst(CrontabBlock.watchdogComment.count)
    } else {
      return nil
    }
    if rest.hasPrefix(", sum ") {
      let sum = rest.dropFirst(", sum ".count).prefix(Self.sumLength)
      guard sum.count == Self.sumLength else { return nil }
      self.sum = String(sum)
      rest = rest.dropFirst(", sum ".count + Self.sumLength)
    }
    if rest.hasPrefix(", given ") {
      guard let words = ShellWords.split(rest.dropFirst(", given ".count)) else { return nil }
      given = words
      rest = ""
    }
    guard rest.isEmpty else { return nil }
  }

  static let sumLength = 8

  /// The first hex digits of the line's SHA-256: enough to notice an edit,
  /// short enough to read past.
  static func sum(of line: String) -> String {
    String(SHA256.hex(of: Data(line.utf8)).prefix(sumLength))
  }

  static func text(of entry: CrontabBlock.Entry) -> String {
    var text =
      switch entry.subject {
      case .pipeline(let name): CrontabBlock.pipelinePrefix + name
      case .watchdog: CrontabBlock.watchdogComment
      }
    text += ", sum \(sum(of: entry.line))"
    if !entry.given.isEmpty {
      text += ", given " + entry.given.map(ShellWords.quote).joined(separator: " ")
    }
    return text
  }

  /// The entry this comment and the line after it make.
  func entry(line: String) -> CrontabBlock.Entry {
    var entry = CrontabBlock.Entry(subject: subject, line: line, given: given)
    entry.comment = text
    entry.isAsWritten = sum.map { $0 == Self.sum(of: line) } ?? Self.hasEarlierShape(line)
    return entry
  }

  /// A line as versions before sums wrote it: the schedule, then the
  /// binary and the file by absolute path, then perhaps `--root DIR`.
  static func hasEarlierShape(_ line: String) -> Bool {
    guard let words = ShellWords.split(line), let first = words.first, !first.hasPrefix("#")
    else { return false }
    let command = words.dropFirst(first.hasPrefix("@") ? 1 : 5)
    let paths = Array(command.prefix(2))
    let rest = Array(command.dropFirst(2))
    return paths.count == 2 && paths.allSatisfy { $0.hasPrefix("/") }
      && (rest.isEmpty || (rest.count == 2 && rest[0] == "--root"))
  }
}
