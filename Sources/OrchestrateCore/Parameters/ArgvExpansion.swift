import FoundationEssentials

/// `${NAME}` in `argv` elements, replaced by the task's environment
/// variable of that name, as systemd does in `ExecStart=`; `$${` is a
/// literal `${`. `run:` text is left to the shell.
public enum ArgvExpansion {
  public enum Piece: Equatable {
    case text(String)
    case variable(String)
  }

  public struct Problem: Error, CustomStringConvertible, Equatable {
    public var description: String
  }

  /// The pieces of one element; a `${` without its `}` or with an empty
  /// or invalid name is a problem.
  public static func pieces(_ element: String) throws(Problem) -> [Piece] {
    guard element.contains("${") else { return [.text(element)] }
    var pieces: [Piece] = []
    var text = ""
    var rest = Substring(element)
    while let start = rest.firstRange(of: "${") {
      if rest[..<start.lowerBound].hasSuffix("$") {
        // `$${`: a literal `${`.
        text += rest[..<rest.index(before: start.lowerBound)] + "${"
        rest = rest[start.upperBound...]
        continue
      }
      text += rest[..<start.lowerBound]
      guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
        throw Problem(description: "'\(element)': '${' without a closing '}'")
      }
      let name = String(rest[start.upperBound..<end])
      guard DotEnv.isName(name) else {
        throw Problem(description: "'\(element)': '${\(name)}' is not a variable name")
      }
      if !text.isEmpty { pieces.append(.text(text)) }
      text = ""
      pieces.append(.variable(name))
      rest = rest[rest.index(after: end)...]
    }
    text += rest
    if !text.isEmpty || pieces.isEmpty { pieces.append(.text(text)) }
    return pieces
  }

  /// The names an argv refers to.
  public static func variables(in argv: [String]) throws(Problem) -> [String] {
    var names: [String] = []
    for element in argv {
      for case .variable(let name) in try pieces(element) { names.append(name) }
    }
    return names
  }

  /// `argv` with every `${NAME}` replaced; `lookup` returns nil for unset ones.
  public static func expand(_ argv: [String], lookup: (String) -> String?) throws(Problem)
    -> [String]
  {
    var result: [String] = []
    for element in argv {
      var expanded = ""
      for piece in try pieces(element) {
        switch piece {
        case .text(let text): expanded += text
        case .variable(let name):
          guard let value = lookup(name) else {
            throw Problem(description: "'\(element)': ${\(name)} is not set")
          }
          expanded += value
        }
      }
      result.append(expanded)
    }
    return result
  }
}
