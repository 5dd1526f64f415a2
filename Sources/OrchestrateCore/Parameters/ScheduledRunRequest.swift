/// `orchestrate schedule -e/-p/--flag`: the scheduled run's arguments a
/// command line asks for, checked as a run would check them, with secrets
/// refused, since they would be written where `ps` shows them.
extension ScheduledRunArguments {
  public static func requested(_ request: RunSettings.Request, for pipeline: Pipeline)
    throws(RunSettings.Problem) -> ScheduledRunArguments
  {
    var arguments = ScheduledRunArguments(environment: request.environment)
    if let environment = request.environment {
      _ = try RunSettings.environment(environment, of: pipeline)
    }
    for assignment in request.assignments {
      guard let equals = assignment.firstIndex(of: "=") else {
        throw .init("--param \(assignment): write NAME=VALUE")
      }
      let name = String(assignment[..<equals])
      arguments.params[name] = try value(
        String(assignment[assignment.index(after: equals)...]), of: name, in: pipeline)
    }
    for flag in request.flags {
      let (name, value) = try RunSettings.boolFlag(flag, in: pipeline)
      arguments.params[name] = value
    }
    return arguments
  }

  /// These arguments as they fit `pipeline` now (an earlier install's, read
  /// back from what it wrote; the file may have changed since).
  public func checked(for pipeline: Pipeline) throws(RunSettings.Problem) -> ScheduledRunArguments {
    try Self.requested(
      RunSettings.Request(
        environment: environment, assignments: params.map { "\($0.key)=\($0.value)" }),
      for: pipeline)
  }

  private static func value(_ text: String, of name: String, in pipeline: Pipeline)
    throws(RunSettings.Problem) -> String
  {
    // Not the value in messages: a misspelt name is often the secret's own.
    let parameter = try RunSettings.find(name, in: pipeline, option: "--param \(name)=…")
    if parameter.secret { throw .init("--param \(name): \(secretProblem(name))") }
    switch parameter.value(of: text) {
    case .success(let value):
      if let problem = valueProblem(value) { throw .init("--param \(name): \(problem)") }
      return value
    case .failure(let problem): throw .init("--param \(name): \(problem)")
    }
  }
}

extension ScheduledRunArguments {
  /// What an install gives the pipeline's run beside the file: what its
  /// command line asks for; else, unless forced, what an earlier install
  /// was given (`earlier`, read back from what it wrote), as long as it
  /// still fits the pipeline. `isEarlier` says which.
  public static func forInstall(
    _ request: RunSettings.Request, earlier: [String], force: Bool, for pipeline: Pipeline
  ) throws(RunSettings.Problem) -> (given: ScheduledRunArguments, isEarlier: Bool) {
    let asked = request.environment != nil || !request.assignments.isEmpty || !request.flags.isEmpty
    if asked || force || earlier.isEmpty {
      return (try requested(request, for: pipeline), false)
    }
    // Not the values: the file may have made one of them a secret since.
    guard let recorded = ScheduledRunArguments(words: earlier) else {
      throw .init(
        "the arguments an earlier install recorded cannot be read; "
          + "give -e or -p again, or --force to drop them")
    }
    do {
      return (try recorded.checked(for: pipeline), true)
    } catch {
      throw .init(
        "the arguments an earlier install was given no longer fit: "
          + "\(error.description); give -e or -p again, or --force to drop them")
    }
  }
}
