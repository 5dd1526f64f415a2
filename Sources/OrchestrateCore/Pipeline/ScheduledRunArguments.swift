/// What the command line of a scheduled run says beyond the pipeline file:
/// an environment and parameter values. They come from the file's
/// `schedule: {cron, environment, params}` and from `orchestrate schedule
/// -e/-p`, and are written onto the crontab line or into `ExecStart=`,
/// where `ps` shows them to every user while the run lasts: never a secret.
public struct ScheduledRunArguments: Sendable, Equatable {
  public var environment: String?
  /// Parameter name → canonical value.
  public var params: [String: String]

  public init(environment: String? = nil, params: [String: String] = [:]) {
    self.environment = environment
    self.params = params
  }

  public var isEmpty: Bool { environment == nil && params.isEmpty }

  /// As a run takes them, `-e prod -p full_refresh=true -p region=eu`:
  /// parameters by name, so that the same settings give the same line.
  public var words: [String] {
    (environment.map { ["-e", $0] } ?? [])
      + params.sorted { $0.key < $1.key }.flatMap { ["-p", "\($0.key)=\($0.value)"] }
  }

  /// Reads `words` back; nil when they are not in that form.
  public init?(words: [String]) {
    self.init()
    var rest = words[...]
    while let option = rest.popFirst() {
      guard let value = rest.popFirst() else { return nil }
      switch option {
      case "-e" where environment == nil:
        environment = value
      case "-p":
        guard let equals = value.firstIndex(of: "=") else { return nil }
        params[String(value[..<equals])] = String(value[value.index(after: equals)...])
      default:
        return nil
      }
    }
  }

  /// These, with `other`'s environment and parameters where it gives them:
  /// the command line of `schedule` wins over the file, value by value.
  public func overlaid(by other: Self) -> Self {
    Self(
      environment: other.environment ?? environment,
      params: params.merging(other.params) { $1 })
  }

  /// Why a secret parameter cannot be given to scheduled runs.
  static func secretProblem(_ name: String) -> String {
    "'\(name)' is a secret parameter, and the command line of a scheduled run (its crontab "
      + "line or ExecStart=) can be read by every user of the machine with ps while it runs; "
      + "give it in the environment's env_file instead"
  }

  /// Why a value cannot stand on a crontab line or in a unit file, where a
  /// newline ends the line; nil when it can.
  static func valueProblem(_ value: String) -> String? {
    value.unicodeScalars.contains { $0.properties.generalCategory == .control }
      ? "a value with a newline or another control character cannot be written onto the "
        + "command line of a scheduled run"
      : nil
  }
}
