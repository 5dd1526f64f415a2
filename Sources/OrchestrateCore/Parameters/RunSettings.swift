import FoundationEssentials
import Glibc

/// What one run is told, resolved before anything is created: its
/// environment, its parameter values, its logical date, and the variables
/// every task gets from them. Secret values reach tasks and nothing else.
public struct RunSettings: Sendable {
  public var environment: String?
  /// Parameter name → canonical value, secrets included.
  public var values: [String: String] = [:]
  /// Parameters declared secret, and every key read from the `env_file`.
  public var secretNames: [String] = []
  public var mask = SecretMask()
  /// For every task, over the pipeline's `env`: the environment's `env`,
  /// its `env_file`, each parameter in upper case, ORCHESTRATE_ENVIRONMENT,
  /// ENVIRONMENT, ORCHESTRATE_DATE and ORCHESTRATE_DUE_AT.
  public var variables: [String: String] = [:]
  public var logicalDate: String
  public var dueAt: Date?
  public var maxParallel: Int?
  public var timeout: Duration?
  /// Said on stderr and kept in the record (an env_file others can read).
  public var warnings: [String] = []

  /// Parameter values as the record and every output show them.
  public var shownValues: [String: String] {
    values.reduce(into: [:]) { shown, entry in
      shown[entry.key] = secretNames.contains(entry.key) ? SecretMask.placeholder : entry.value
    }
  }

  /// What the command line asked for.
  public struct Request: Sendable {
    public var environment: String?
    /// `NAME=VALUE`, as given to `--param`.
    public var assignments: [String] = []
    /// Options the command line did not know: `--full-refresh`, `--no-full-refresh`.
    public var flags: [String] = []
    public var date: String?
    /// `validate`: a required parameter without a value is not an error.
    public var allowsMissing = false
    /// The environment orchestrate was started with, where
    /// `ORCHESTRATE_PARAM_<NAME>` gives a value without a command line.
    public var inherited: [String: String] = [:]

    public init(
      environment: String? = nil, assignments: [String] = [], flags: [String] = [],
      date: String? = nil
    ) {
      self.environment = environment
      self.assignments = assignments
      self.flags = flags
      self.date = date
    }
  }

  public struct Problem: Error, CustomStringConvertible, Equatable {
    public var description: String
    /// The machine refused (an env_file missing or unreadable), not the
    /// command line: a run refused this way is recorded and told.
    public var isFromMachine = false
    /// An option the command line's parser let through for the pipeline's
    /// bool parameters, and that is not one of them: a usage error.
    public var isUnknownOption = false
    init(_ description: String, isFromMachine: Bool = false, isUnknownOption: Bool = false) {
      self.description = description
      self.isFromMachine = isFromMachine
      self.isUnknownOption = isUnknownOption
    }
  }

  /// A pipeline's own defaults, with nothing asked for: for plans made
  /// without a command line (its required parameters stay unset).
  public static func defaults(of pipeline: Pipeline) -> RunSettings {
    var settings = RunSettings(
      logicalDate: LogicalDate.of(start: Date(), offset: pipeline.dateOffset))
    for parameter in pipeline.parameters {
      settings.values[parameter.name] = parameter.defaultValue
      settings.variables[parameter.variable] = parameter.defaultValue
    }
    settings.variables["ORCHESTRATE_DATE"] = settings.logicalDate
    return settings
  }

  public static func resolve(
    _ pipeline: Pipeline, request: Request = Request(), root: String, start: Date = Date()
  ) throws(Problem) -> RunSettings {
    let zone = pipeline.timeZone.flatMap(ZoneInfo.named) ?? .local
    var settings = RunSettings(
      logicalDate: LogicalDate.of(start: start, offset: pipeline.dateOffset, timeZone: zone))
    // The due time a run serves: the schedule's latest at or before its start.
    settings.dueAt = pipeline.cron.flatMap {
      CronSchedule(expression: $0, timeZone: zone).previous(before: start.addingTimeInterval(1))
    }
    let environmentName = request.environment ?? pipeline.defaultEnvironment
    var environment: PipelineEnvironment?
    if let environmentName {
      environment = try Self.environment(environmentName, of: pipeline)
    }
    settings.environment = environmentName
    settings.maxParallel = environment?.maxParallel
    settings.timeout = environment?.timeout

    for parameter in pipeline.parameters {
      if let value = environment?.params[parameter.name] ?? parameter.defaultValue {
        settings.values[parameter.name] = value
      }
    }
    // A command line is public (ps shows it to every user while the run
    // lasts); the environment is not: secrets belong there.
    for parameter in pipeline.parameters {
      let variable = Self.environmentVariable(of: parameter)
      guard let text = request.inherited[variable] else { continue }
      switch parameter.value(of: text) {
      case .success(let value): settings.values[parameter.name] = value
      case .failure(let problem): throw Problem("\(variable): \(problem)")
      }
    }
    for assignment in request.assignments {
      guard let equals = assignment.firstIndex(of: "=") else {
        throw Problem("--param \(assignment): write NAME=VALUE")
      }
      let name = String(assignment[..<equals])
      // Not the value: a misspelt name is often the secret's own.
      let parameter = try find(name, in: pipeline, option: "--param \(name)=…")
      switch parameter.value(of: String(assignment[assignment.index(after: equals)...])) {
      case .success(let value): settings.values[name] = value
      case .failure(let problem): throw Problem("--param \(name): \(problem)")
      }
      if parameter.secret {
        settings.warnings.append(
          "--param \(name): a secret on the command line can be read by every user of the "
            + "machine (ps) while the run lasts; set \(Self.environmentVariable(of: parameter)) "
            + "instead")
      }
    }
    for flag in request.flags {
      let (name, value) = try boolFlag(flag, in: pipeline)
      settings.values[name] = value
    }
    for parameter in pipeline.parameters
    where settings.values[parameter.name] == nil && !request.allowsMissing {
      throw Problem(
        "missing required parameter \(parameter.name) (give --param \(parameter.name)=VALUE)")
    }

    if let date = request.date {
      guard LogicalDate.isValid(date) else {
        throw Problem("--date: '\(date)' is not a date (YYYY-MM-DD)")
      }
      settings.logicalDate = date
    }

    var secrets = pipeline.parameters.filter(\.secret).compactMap { settings.values[$0.name] }
    settings.secretNames = pipeline.parameters.filter(\.secret).map(\.name)
    for (key, value) in environment?.env ?? [:] { settings.variables[key] = value }
    if let envFile = environment?.envFile {
      let file = try EnvFile.read(path: RootLayout(root: root).absolute(envFile), shown: envFile)
      for (key, value) in file.entries {
        settings.variables[key] = value
        secrets.append(value)
        if !settings.secretNames.contains(key) { settings.secretNames.append(key) }
      }
      settings.warnings += file.warnings
    }
    for parameter in pipeline.parameters {
      settings.variables[parameter.variable] = settings.values[parameter.name]
    }
    if let environmentName {
      settings.variables["ORCHESTRATE_ENVIRONMENT"] = environmentName
      settings.variables["ENVIRONMENT"] = environmentName
    }
    settings.variables["ORCHESTRATE_DATE"] = settings.logicalDate
    if let dueAt = settings.dueAt {
      settings.variables["ORCHESTRATE_DUE_AT"] = Timestamp.format(dueAt)
    }
    settings.mask = SecretMask(secrets)
    settings.secretNames.sort()
    return settings
  }

  /// `ORCHESTRATE_PARAM_API_TOKEN` for parameter `api_token`.
  public static func environmentVariable(of parameter: Parameter) -> String {
    "ORCHESTRATE_PARAM_\(parameter.variable)"
  }

  static func environment(_ name: String, of pipeline: Pipeline) throws(Problem)
    -> PipelineEnvironment
  {
    if let found = pipeline.environments[name] { return found }
    let known = pipeline.environments.keys.sorted()
    throw Problem(
      "--environment: unknown environment '\(name)' "
        + (known.isEmpty
          ? "(the pipeline declares no environments)"
          : "(environments: \(known.joined(separator: ", ")))"))
  }

  static func find(_ name: String, in pipeline: Pipeline, option: String) throws(Problem)
    -> Parameter
  {
    if let parameter = pipeline.parameters.first(where: { $0.name == name }) { return parameter }
    let names = pipeline.parameters.map(\.name)
    var message = "\(option): unknown parameter '\(name)'"
    if let guess = closestMatch(to: name, in: Set(names)) {
      message += " (did you mean '\(guess)'?)"
    } else {
      message +=
        names.isEmpty
        ? " (the pipeline declares no params)" : " (params: \(names.joined(separator: ", ")))"
    }
    throw Problem(message)
  }

  /// `--full-refresh` → (full_refresh, true); `--no-full-refresh` → false.
  static func boolFlag(_ flag: String, in pipeline: Pipeline) throws(Problem)
    -> (String, String)
  {
    let flags = pipeline.parameters.flatMap(\.flags)
    let negated = flag.hasPrefix("--no-")
    let spelled = flag.dropFirst(negated ? 5 : 2)
    let name = spelled.replacing("-", with: "_")
    guard flag.hasPrefix("--"), !spelled.contains("_"),
      let parameter = pipeline.parameters.first(where: { $0.name == name && $0.kind == .bool })
    else {
      var message = "unknown option '\(flag)'"
      if let guess = closestMatch(to: flag, in: Set(flags)) {
        message += " (did you mean '\(guess)'?)"
      }
      throw Problem(message, isUnknownOption: true)
    }
    return (parameter.name, negated ? "false" : "true")
  }
}

/// An environment's `env_file`: its entries, and a warning when users other
/// than its owner may read it (as ssh warns for a private key).
package struct EnvFile {
  package var entries: [(key: String, value: String)]
  package var warnings: [String] = []

  /// Why `path` cannot be read as an env file; nil when it can.
  package static func unreadable(_ path: String) -> String? {
    if access(path, F_OK) != 0 { return "does not exist" }
    if access(path, R_OK) != 0 { return "cannot be read" }
    return nil
  }

  package static func read(path: String, shown: String) throws(RunSettings.Problem) -> EnvFile {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .init(
        "env_file \(shown): \(unreadable(path) ?? "cannot be read") (\(path))", isFromMachine: true)
    }
    let entries: [(key: String, value: String)]
    do {
      entries = try DotEnv.parse(String(decoding: data, as: UTF8.self))
    } catch {
      throw .init("env_file \(shown): \(error)", isFromMachine: true)
    }
    var file = EnvFile(entries: entries)
    var info = stat()
    if stat(path, &info) == 0, info.st_mode & 0o077 != 0 {
      file.warnings.append(
        "env_file \(shown) can be read by other users (mode \(String(info.st_mode & 0o777, radix: 8))); "
          + "chmod 600 \(path)")
    }
    return file
  }
}
