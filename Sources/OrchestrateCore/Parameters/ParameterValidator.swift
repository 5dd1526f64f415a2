import FoundationEssentials

/// Checks `params:`, `environments:` and `when:` the way `PipelineValidator`
/// checks the rest: one `PipelineError` naming the file, line and field.
struct ParameterValidator {
  var file: String

  func parameters(_ definitions: [String: ParameterDefinition]?) throws(PipelineError)
    -> [Parameter]
  {
    var parameters: [Parameter] = []
    for (name, definition) in (definitions ?? [:]).sorted(by: { $0.key < $1.key }) {
      let field = "params.\(name)"
      func fail(_ message: String, _ key: String? = nil) -> PipelineError {
        PipelineError(
          file: file, line: definition.line, field: key.map { "\(field).\($0)" } ?? field,
          message: message)
      }
      if let problem = Parameter.nameProblem(name) { throw fail(problem) }
      guard let typeName = definition.type else {
        throw fail(
          "needs a 'type' (\(Parameter.Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
      }
      guard let kind = Parameter.Kind(rawValue: typeName) else {
        throw fail(
          "'\(typeName)' is not one of: \(Parameter.Kind.allCases.map(\.rawValue).joined(separator: ", "))",
          "type")
      }
      let choices = definition.choices?.map(\.text) ?? []
      if kind == .choice && choices.isEmpty { throw fail("a choice needs 'choices'", "choices") }
      if kind != .choice && !choices.isEmpty {
        throw fail("'choices' applies to type choice", "choices")
      }
      var parameter = Parameter(
        name: name, kind: kind, defaultValue: nil, required: definition.required ?? false,
        secret: definition.secret ?? false, description: definition.description, choices: choices)
      if let text = definition.defaultValue?.text {
        switch parameter.value(of: text) {
        case .success(let value): parameter.defaultValue = value
        case .failure(let problem): throw fail("default \(problem)", "default")
        }
      }
      if parameter.required && parameter.defaultValue != nil {
        throw fail("has both 'required: true' and a 'default'; keep one")
      }
      if !parameter.required && parameter.defaultValue == nil {
        throw fail("needs 'required: true' or a 'default'")
      }
      parameters.append(parameter)
    }
    return parameters
  }

  func environments(
    _ definitions: [String: EnvironmentDefinition]?, parameters: [Parameter],
    checkEnvironment: ([String: String]?, String) throws(PipelineError) -> [String: String]
  ) throws(PipelineError) -> [String: PipelineEnvironment] {
    var environments: [String: PipelineEnvironment] = [:]
    for (name, definition) in definitions ?? [:] {
      let field = "environments.\(name)"
      func fail(_ message: String, _ key: String) -> PipelineError {
        PipelineError(file: file, line: definition.line, field: "\(field).\(key)", message: message)
      }
      if let problem = Names.problem(with: name) {
        throw PipelineError(
          file: file, line: definition.line, field: field,
          message: "'\(Names.printable(name))' \(problem)")
      }
      if let maxParallel = definition.maxParallel, !(1...4096).contains(maxParallel) {
        throw fail("must be between 1 and 4096, got \(maxParallel)", "max_parallel")
      }
      var timeout: Duration?
      if case .after(let duration) = definition.timeout {
        if duration <= .zero { throw fail("must be longer than zero", "timeout") }
        timeout = duration
      }
      var params: [String: String] = [:]
      for (key, text) in definition.params ?? [:] {
        let value = try value(
          text.text, of: key, in: parameters, line: definition.line, field: "\(field).params")
        params[key] = value
      }
      environments[name] = PipelineEnvironment(
        name: name, env: try checkEnvironment(definition.env, "\(field).env"),
        envFile: definition.envFile, params: params, maxParallel: definition.maxParallel,
        timeout: timeout,
        notify: try NotifyValidator(file: file).settings(
          definition.notify, timeout: nil, field: "\(field).notify", timeoutField: "")?.channels)
    }
    return environments
  }

  func condition(
    _ definition: ConditionDefinition?, parameters: [Parameter], line: Int?, field: String
  ) throws(PipelineError) -> TaskCondition? {
    guard let definition else { return nil }
    switch definition {
    case .flag(let name):
      let parameter = try find(name, in: parameters, line: line, field: field)
      guard parameter.kind == .bool else {
        throw PipelineError(
          file: file, line: line, field: field,
          message: "'\(name)' is a \(parameter.kind.rawValue) parameter; write {\(name): VALUE}")
      }
      return .flag(name)
    case .equals(let name, let text):
      return .equals(name, try value(text, of: name, in: parameters, line: line, field: field))
    case .not(let inner):
      return .not(try condition(inner, parameters: parameters, line: line, field: field)!)
    }
  }

  /// `schedule: {environment, params}`: what the command line of every
  /// scheduled run will say, so only what a run would accept, and no secret.
  func scheduledRun(
    _ setting: ScheduleSetting?, parameters: [Parameter],
    environments: [String: PipelineEnvironment]
  ) throws(PipelineError) -> ScheduledRunArguments {
    guard let setting else { return ScheduledRunArguments() }
    if let name = setting.environment, environments[name] == nil {
      let known = environments.keys.sorted()
      throw PipelineError(
        file: file, field: "schedule.environment",
        message: "unknown environment '\(Names.printable(name))' "
          + (known.isEmpty
            ? "(the pipeline declares no environments)"
            : "(environments: \(known.joined(separator: ", ")))"))
    }
    var params: [String: String] = [:]
    for (name, text) in (setting.params ?? [:]).sorted(by: { $0.key < $1.key }) {
      let field = "schedule.params.\(name)"
      let parameter = try find(name, in: parameters, line: nil, field: field)
      if parameter.secret {
        throw PipelineError(
          file: file, field: field, message: ScheduledRunArguments.secretProblem(name))
      }
      switch parameter.value(of: text.text) {
      case .success(let value):
        if let problem = ScheduledRunArguments.valueProblem(value) {
          throw PipelineError(file: file, field: field, message: problem)
        }
        params[name] = value
      case .failure(let problem):
        throw PipelineError(file: file, field: field, message: problem.description)
      }
    }
    return ScheduledRunArguments(environment: setting.environment, params: params)
  }

  private func value(
    _ text: String, of name: String, in parameters: [Parameter], line: Int?, field: String
  ) throws(PipelineError) -> String {
    let parameter = try find(name, in: parameters, line: line, field: field)
    switch parameter.value(of: text) {
    case .success(let value): return value
    case .failure(let problem):
      throw PipelineError(
        file: file, line: line, field: "\(field).\(name)", message: problem.description)
    }
  }

  private func find(_ name: String, in parameters: [Parameter], line: Int?, field: String)
    throws(PipelineError) -> Parameter
  {
    if let parameter = parameters.first(where: { $0.name == name }) { return parameter }
    var message = "unknown parameter '\(name)'"
    if let guess = closestMatch(to: name, in: Set(parameters.map(\.name))) {
      message += " (did you mean '\(guess)'?)"
    } else if parameters.isEmpty {
      message += " (the pipeline declares no params)"
    }
    throw PipelineError(file: file, line: line, field: field, message: message)
  }
}
