/// The programs a task's `run:` text starts, as far as they can be told
/// without running it: the first word of each simple command (after `;`,
/// `&&`, `||`, `|`, a newline, `if`, `then`, `do`, …), leaving out shell
/// keywords, builtins, functions the text defines, variable assignments and
/// redirections. A word built from `$…`, quotes or backquotes is dynamic:
/// only the run can tell. Text with a here-document or `case` is not looked
/// into past that point, where words are data or patterns.
///
/// By hand rather than a shell parser library: none is on this machine, and
/// this only has to find command positions, never to evaluate anything.
enum ShellCommandWords {
  struct Word: Equatable {
    var text: String
    /// Holds an expansion, quotes or a glob: not a name to look up.
    var isDynamic: Bool
  }

  static func commands(in text: String) -> [Word] {
    var words: [Word] = []
    var defined = Set<String>()
    var atCommand = true  // the next word is in command position
    var skipNext = false  // the next word is a redirection's target
    var namesFunction = false  // the word after `function`
    for token in tokens(text) {
      switch token {
      case .separator:
        atCommand = true
        skipNext = false
      case .stop:
        return words.filter { !defined.contains($0.text) }
      case .word(let word):
        if skipNext {
          skipNext = false
          continue
        }
        if namesFunction {
          namesFunction = false
          defined.insert(word.text.hasSuffix("()") ? String(word.text.dropLast(2)) : word.text)
          continue
        }
        if isRedirection(word.text) {
          // `>file` carries its target; `>` alone takes the next word.
          skipNext = word.text.allSatisfy { "<>&0123456789".contains($0) }
          continue
        }
        guard atCommand else { continue }
        if word.text.hasSuffix("()") {
          defined.insert(String(word.text.dropLast(2)))
          atCommand = false
          continue
        }
        if isAssignment(word.text) { continue }
        if word.text == "case" { return words.filter { !defined.contains($0.text) } }
        if commandPrefixes.contains(word.text) { continue }
        if listKeywords.contains(word.text) {
          atCommand = false  // `for x in a b`: no command until the separator
          continue
        }
        atCommand = false
        if word.text == "function" {
          namesFunction = true
          continue
        }
        if builtins.contains(word.text) { continue }
        words.append(word)
      }
    }
    return words.filter { !defined.contains($0.text) }
  }

  enum Token {
    case word(Word)
    case separator
    /// A here-document: what follows is data.
    case stop
  }

  static func tokens(_ text: String) -> [Token] {
    var tokens: [Token] = []
    var current = ""
    var dynamic = false
    var quote: Character?
    var characters = Array(text)[...]
    func flush() {
      if !current.isEmpty { tokens.append(.word(Word(text: current, isDynamic: dynamic))) }
      current = ""
      dynamic = false
    }
    while let character = characters.popFirst() {
      if let open = quote {
        if character == open {
          quote = nil
        } else if character == "\\" && open == "\"" {
          _ = characters.popFirst()
        } else {
          current.append(character)
        }
        continue
      }
      switch character {
      case "'", "\"":
        quote = character
        dynamic = true
      case "\\":
        if let next = characters.popFirst(), next != "\n" { current.append(next) }
        dynamic = true
      case "$":
        current.append(character)
        dynamic = true
        // `${NAME}`, `$(command)`, `$((1 + 2))`: one piece of the word.
        if let open = characters.first, open == "{" || open == "(" {
          let close: Character = open == "{" ? "}" : ")"
          var depth = 0
          while let next = characters.popFirst() {
            current.append(next)
            if next == open { depth += 1 }
            if next == close { depth -= 1 }
            if depth == 0 { break }
          }
        }
      case "`", "*", "?", "[":
        current.append(character)
        dynamic = true
      case "#" where current.isEmpty:
        while let next = characters.first, next != "\n" { characters.removeFirst() }
      case "&" where current.hasSuffix(">") || current.hasSuffix("<") || characters.first == ">":
        current.append(character)  // `2>&1`, `>&2`, `&>log`: a redirection
      case " ", "\t":
        flush()
      case "\n", ";", "|", "&", "(", ")", "{", "}":
        if character == "(" && characters.first == ")" {
          characters.removeFirst()
          current += "()"
          flush()
          continue
        }
        flush()
        tokens.append(.separator)
      case "<" where characters.first == "<":
        flush()
        tokens.append(.stop)
        return tokens
      default:
        current.append(character)
      }
    }
    flush()
    return tokens
  }

  static func isAssignment(_ word: String) -> Bool {
    guard let equals = word.firstIndex(of: "="), equals != word.startIndex else { return false }
    return word[..<equals].allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
  }

  static func isRedirection(_ word: String) -> Bool {
    guard let first = word.first else { return false }
    if first == ">" || first == "<" { return true }
    return first.isNumber && word.dropFirst().first.map { "<>".contains($0) } == true
  }

  /// Keywords after which the next word is a command again.
  static let commandPrefixes: Set<String> = [
    "if", "then", "else", "elif", "while", "until", "do", "!", "time", "exec", "command",
    "builtin", "fi", "done", "esac",
  ]
  /// Keywords that take words, not a command, until the separator.
  static let listKeywords: Set<String> = ["for", "select", "in"]
  static let builtins: Set<String> = [
    ".", ":", "[", "[[", "]]", "alias", "bg", "break", "cd", "continue", "declare", "echo", "eval",
    "exit", "export", "false", "fg", "getopts", "hash", "jobs", "kill", "let", "local", "printf",
    "pwd", "read", "readonly", "return", "set", "shift", "source", "test", "times", "trap", "true",
    "type", "typeset", "ulimit", "umask", "unalias", "unset", "wait",
  ]
}
