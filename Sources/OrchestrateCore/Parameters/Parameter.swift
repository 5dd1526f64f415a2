import FoundationEssentials

/// A declared parameter of a pipeline (`params:`): what a run may be told
/// on the command line, and how each task is told it.
public struct Parameter: Sendable, Equatable {
  public enum Kind: String, Sendable, CaseIterable {
    case string, int, bool, choice, date
  }

  public var name: String
  public var kind: Kind
  /// In canonical form (`true`, `42`, `2026-11-30`).
  public var defaultValue: String?
  public var required: Bool
  public var secret: Bool
  public var description: String?
  /// For `choice`.
  public var choices: [String]

  /// How tasks see it: `full_refresh` → `FULL_REFRESH`.
  public var variable: String { name.uppercased() }

  /// A bool parameter's own flags on the command line: `full_refresh` →
  /// `--full-refresh`, `--no-full-refresh`; none for other kinds.
  public var flags: [String] {
    guard kind == .bool else { return [] }
    let spelled = name.replacing("_", with: "-")
    return ["--\(spelled)", "--no-\(spelled)"]
  }

  /// The canonical text of `text` as a value of this parameter, or why not;
  /// the reason never repeats a secret value.
  public func value(of text: String) -> Result<String, ValueProblem> {
    let quoted = secret ? "the secret value" : "'\(text)'"
    switch kind {
    case .string:
      return .success(text)
    case .int:
      guard let number = Int(text.trimmed) else {
        return .failure(.init("\(quoted) is not an int"))
      }
      return .success(String(number))
    case .bool:
      switch text.lowercased() {
      case "true", "yes", "on", "1": return .success("true")
      case "false", "no", "off", "0": return .success("false")
      default: return .failure(.init("\(quoted) is not a bool (true or false)"))
      }
    case .choice:
      guard choices.contains(text) else {
        return .failure(.init("\(quoted) is not one of: \(choices.joined(separator: ", "))"))
      }
      return .success(text)
    case .date:
      guard LogicalDate.isValid(text) else {
        return .failure(.init("\(quoted) is not a date (YYYY-MM-DD)"))
      }
      return .success(text)
    }
  }

  public struct ValueProblem: Error, CustomStringConvertible, Equatable {
    public var description: String
    init(_ description: String) { self.description = description }
  }

  /// Parameter names: lower snake case, so that the variable and the flag
  /// spelled from them are unambiguous.
  static func nameProblem(_ name: String) -> String? {
    let bytes = Array(name.utf8)
    guard let first = bytes.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first),
      bytes.allSatisfy({
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
          || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_")
      })
    else { return "'\(name)' is not a lower snake case name (e.g. full_refresh)" }
    return nil
  }
}

/// A named set of settings a run can be started in (`environments:`).
public struct PipelineEnvironment: Sendable, Equatable {
  public var name: String
  public var env: [String: String]
  /// Dotenv file, relative to the root unless absolute; its values are secrets.
  public var envFile: String?
  /// Parameter defaults of this environment, canonical.
  public var params: [String: String]
  public var maxParallel: Int?
  public var timeout: Duration?
  /// Replaces the pipeline's `notify:` channels for runs in this environment.
  public var notify: [NotifyChannel]? = nil
}

/// `when:` on a task: a condition on the run's parameters.
public indirect enum TaskCondition: Sendable, Equatable {
  /// A bool parameter is true.
  case flag(String)
  /// A parameter has this (canonical) value.
  case equals(String, String)
  case not(TaskCondition)

  public func holds(_ values: [String: String]) -> Bool {
    switch self {
    case .flag(let name): values[name] == "true"
    case .equals(let name, let value): values[name] == value
    case .not(let condition): !condition.holds(values)
    }
  }

  /// As written in the file: `full_refresh`, `{region: eu}`, `{not: full_refresh}`.
  public var text: String {
    switch self {
    case .flag(let name): name
    case .equals(let name, let value): "{\(name): \(value)}"
    case .not(let condition): "{not: \(condition.text)}"
    }
  }

  var parameterNames: [String] {
    switch self {
    case .flag(let name), .equals(let name, _): [name]
    case .not(let condition): condition.parameterNames
    }
  }
}
