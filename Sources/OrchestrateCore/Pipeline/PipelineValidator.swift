/// Turns a decoded definition into a `Pipeline`, applying defaults and
/// checking what the file format cannot: names, references, cycles, ranges.
struct PipelineValidator {
  var file: String
  var sha256: String

  func validate(_ definition: PipelineDefinition, defaultName: String) throws(PipelineError)
    -> Pipeline
  {
    let name = definition.name ?? defaultName
    try check(Names.problem(with: name).map { "'\(Names.printable(name))' \($0)" }, field: "name")
    let maxParallel = definition.maxParallel ?? 1
    guard (1...4096).contains(maxParallel) else {
      throw error("must be between 1 and 4096, got \(maxParallel)", field: "max_parallel")
    }
    let sources = try checkedSources(definition.sources ?? [])
    if definition.tasks.isEmpty { throw error("the pipeline has no tasks", field: "tasks") }

    let environment = try checkedEnvironment(definition.env, field: "env")
    let taskEnvironment = try checkedEnvironment(definition.defaults?.env, field: "defaults.env")
    let parameterValidator = ParameterValidator(file: file)
    let parameters = try parameterValidator.parameters(definition.params)
    let environments = try parameterValidator.environments(
      definition.environments, parameters: parameters,
      checkEnvironment: { (env, field) throws(PipelineError) in
        try checkedEnvironment(env, field: field)
      })
    if let name = definition.defaultEnvironment, environments[name] == nil {
      throw error(
        "unknown environment '\(name)' (environments: \(list(environments.keys.sorted())))",
        field: "default_environment")
    }
    let slurmSettings = try SlurmValidation(file: file).runSettings(definition.slurm)
    let itemSettings = try ItemsValidation(file: file).settings(definition.items)
    let tasks = try validatedTasks(
      of: definition, environment: taskEnvironment, sources: sources, parameters: parameters,
      validator: parameterValidator, stages: itemSettings.stages)
    if definition.schedule == nil {
      if definition.timezone != nil {
        throw error("applies to 'schedule', which is not set", field: "timezone")
      }
      if definition.scheduleGrace != nil {
        throw error("applies to 'schedule', which is not set", field: "schedule_grace")
      }
    }
    var pipeline = try assemble(
      definition, name: name, maxParallel: maxParallel, sources: sources,
      environment: environment, tasks: tasks)
    pipeline.slurm = slurmSettings
    pipeline.items = itemSettings
    pipeline.itemsKeepEvents = try ItemsValidation(file: file).keepEvents(definition.items)
    pipeline.parameters = parameters
    pipeline.environments = environments
    pipeline.scheduledRun = try parameterValidator.scheduledRun(
      definition.schedule, parameters: parameters, environments: environments)
    return pipeline
  }

  private func checkedSources(_ sources: [String]) throws(PipelineError) -> [String] {
    for (index, source) in sources.enumerated() {
      try check(
        Names.problem(with: source).map { "'\(Names.printable(source))' \($0)" },
        field: "sources[\(index)]")
      if sources[..<index].contains(source) {
        throw error("source '\(source)' is listed twice", field: "sources[\(index)]")
      }
    }
    return sources
  }

  /// Every task checked on its own, so that one pass names the problems of
  /// every task; then the names, references and cycles between them.
  private func validatedTasks(
    of definition: PipelineDefinition, environment defaultEnvironment: [String: String],
    sources: [String], parameters: [Parameter], validator parameterValidator: ParameterValidator,
    stages: [String]
  ) throws(PipelineError) -> [PipelineTask] {
    let items = ItemsValidation(file: file)
    let defaults = definition.defaults
    let slurm = SlurmValidation(file: file)
    var tasks: [PipelineTask] = []
    var problems: [PipelineError] = []
    for (index, task) in definition.tasks.enumerated() {
      do throws(PipelineError) {
        var validated = try validate(
          task, at: index, defaults: defaults, environment: defaultEnvironment, sources: sources)
        validated.when = try parameterValidator.condition(
          task.when, parameters: parameters, line: task.line, field: "tasks[\(index)].when")
        validated.executor = try slurm.executor(
          of: task, at: index, pipelineDefault: definition.executor, defaults: definition.slurm)
        validated.backpressure = try items.backpressure(
          task.backpressure, of: task, at: index, stages: stages)
        tasks.append(validated)
      } catch {
        problems.append(error)
      }
    }
    if var first = problems.first {
      first.more = Array(problems.dropFirst())
      throw first
    }
    try checkNamesAndReferences(tasks, written: definition.tasks)
    if let cycle = DependencyGraph(tasks: tasks).cycle() {
      let index = tasks.firstIndex { $0.name == cycle[0] } ?? 0
      throw PipelineError(
        file: file, line: tasks[index].line, field: "tasks[\(index)].depends_on",
        message: "dependency cycle: \(cycle.joined(separator: " -> "))")
    }
    return tasks
  }

  /// The pipeline's own settings, defaults applied, around its checked tasks.
  private func assemble(
    _ definition: PipelineDefinition, name: String, maxParallel: Int, sources: [String],
    environment: [String: String], tasks: [PipelineTask]
  ) throws(PipelineError) -> Pipeline {
    let logs = definition.logs
    let standard = LogPolicy.standard
    // Clean-up after a signal is bounded, and so is a run (24h unless
    // given): neither can be 'never', which would have meant the default.
    _ = try required(definition.finallyTimeout, field: "finally_timeout")
    _ = try required(definition.timeout, field: "timeout")
    let finallyTimeout = try limit(definition.finallyTimeout, field: "finally_timeout")
    var dateOffset = Duration.zero
    if case .after(let offset) = definition.dateOffset { dateOffset = offset }
    var pipeline = Pipeline(
      name: name,
      description: definition.description,
      schedule: definition.schedule?.expression.text,
      cron: definition.schedule?.expression,
      timeZone: definition.timezone?.identifier,
      scheduleGrace: try limit(definition.scheduleGrace, field: "schedule_grace"),
      file: file,
      sha256: sha256,
      environment: environment,
      workingDirectory: definition.workingDirectory,
      maxParallel: maxParallel,
      timeout: try limit(definition.timeout, field: "timeout") ?? Pipeline.defaultRunTimeout,
      finallyTimeout: finallyTimeout ?? Pipeline.defaultFinallyTimeout,
      sources: sources,
      logPolicy: LogPolicy(
        compressAfter: try limit(logs?.compressAfter, field: "logs.compress_after")
          ?? standard.compressAfter,
        deleteAfter: logs?.deleteAfter == .never
          ? nil : try limit(logs?.deleteAfter, field: "logs.delete_after") ?? standard.deleteAfter,
        compression: logs?.compression ?? standard.compression),
      stuckAfter: try limit(definition.stuckAfter, field: "stuck_after"),
      maxAge: try limit(definition.maxAge, field: "max_age"),
      anomalyThresholds: try thresholds(definition.anomalies),
      metricsDeleteAfter: try limit(definition.metrics?.deleteAfter, field: "metrics.delete_after"),
      minSuccessRate: try successRate(definition.health),
      tasks: tasks)
    // A long pause is worth a warning however long it may last: no `never`.
    pipeline.pausedAfter = try limit(
      required(definition.pausedAfter, field: "paused_after").map { .after($0) },
      field: "paused_after")
    pipeline.defaultEnvironment = definition.defaultEnvironment
    pipeline.dateOffset = dateOffset
    pipeline.notify =
      try NotifyValidator(file: file).settings(
        definition.notify, timeout: definition.notifyTimeout, field: "notify",
        timeoutField: "notify_timeout") ?? .none
    pipeline.reportPath = definition.report?.path
    if let readers = definition.files?.readableBy { pipeline.files.readableBy = readers }
    if let allowed = definition.files?.othersMayWrite { pipeline.files.othersMayWrite = allowed }
    return pipeline
  }

  private func validate(
    _ task: TaskDefinition, at index: Int, defaults: TaskSettings?,
    environment defaultEnvironment: [String: String], sources: [String]
  ) throws(PipelineError) -> PipelineTask {
    let field = "tasks[\(index)]"
    func fail(_ message: String, _ key: String? = nil) -> PipelineError {
      PipelineError(
        file: file, line: task.line, field: key.map { "\(field).\($0)" } ?? field,
        message: "task '\(Names.printable(task.name))': \(message)")
    }
    if let problem = Names.problem(with: task.name) { throw fail("the name \(problem)", "name") }
    if let problem = Names.logFileProblem(with: task.name) { throw fail(problem, "name") }

    let command: PipelineTask.Command
    switch (task.run, task.argv) {
    case (nil, nil): throw fail("needs 'run' (a shell command) or 'argv' (a program and arguments)")
    case (.some, .some): throw fail("has both 'run' and 'argv'; keep one")
    case (let script?, nil):
      if script.trimmed.isEmpty {
        throw fail("'run' is empty", "run")
      }
      let shell = task.settings.shell ?? defaults?.shell ?? "/bin/sh"
      if shell.isEmpty { throw fail("'shell' is empty", "shell") }
      command = .shell(script: script, shell: shell)
    case (nil, let argv?):
      guard let program = argv.first, !program.isEmpty else {
        throw fail("'argv' needs at least the program to run", "argv")
      }
      if task.settings.shell != nil { throw fail("'shell' applies to 'run' only", "shell") }
      command = .argv(argv)
    }

    let scope: PipelineTask.SourceScope
    switch (task.source, task.forEachSource ?? false) {
    case (.some, true): throw fail("has both 'source' and 'for_each_source'; keep one")
    case (let source?, false):
      guard sources.contains(source) else {
        throw fail("unknown source '\(source)' (sources: \(list(sources)))", "source")
      }
      scope = .single(source)
    case (nil, true):
      if sources.isEmpty {
        throw fail("'for_each_source' needs a 'sources' list", "for_each_source")
      }
      scope = .eachSource
    case (nil, false): scope = .none
    }

    let retries = task.settings.retries ?? defaults?.retries ?? 0
    guard (0...100).contains(retries) else {
      throw fail("'retries' must be between 0 and 100, got \(retries)", "retries")
    }
    let backoff = task.settings.retryBackoff ?? defaults?.retryBackoff ?? 1
    guard backoff >= 1, backoff <= 100 else {
      throw fail("'retry_backoff' must be between 1 and 100, got \(backoff)", "retry_backoff")
    }
    var state: TaskStateSetting?
    if let definition = task.state {
      switch definition.setting(perSource: scope == .eachSource, sources: sources) {
      case .success(let setting): state = setting
      case .failure(let problem): throw fail(problem.message, problem.field)
      }
    }
    let phases = try checkedPhases(task.phases ?? [], fail: fail)
    var environment = defaultEnvironment
    for (key, value) in try checkedEnvironment(task.settings.env, field: "\(field).env") {
      environment[key] = value
    }
    return PipelineTask(
      name: task.name,
      command: command,
      dependsOn: uniqued(task.dependsOn ?? []),
      runIf: task.runIf ?? .success,
      sourceScope: scope,
      timeout: try limit(task.settings.timeout ?? defaults?.timeout, field: "\(field).timeout"),
      killGrace: try required(
        task.settings.killGrace ?? defaults?.killGrace, field: "\(field).kill_grace")
        ?? PipelineTask.defaultKillGrace,
      retries: retries,
      retryDelay: try required(
        task.settings.retryDelay ?? defaults?.retryDelay, field: "\(field).retry_delay")
        ?? .zero,
      retryBackoff: backoff,
      environment: environment,
      workingDirectory: task.settings.workingDirectory ?? defaults?.workingDirectory,
      executor: .local,
      state: state,
      phases: phases,
      line: task.line)
  }

  /// Names a task reports as they are written here (the progress follower
  /// keeps 100 characters of 100 phases), each once, weights positive.
  private func checkedPhases(
    _ phases: [PhaseDefinition], fail: (String, String?) -> PipelineError
  ) throws(PipelineError) -> [DeclaredPhase] {
    if phases.count > DeclaredPhase.maximumCount {
      throw fail("at most \(DeclaredPhase.maximumCount) phases, got \(phases.count)", "phases")
    }
    var seen: Set<String> = []
    for (index, phase) in phases.enumerated() {
      let key = "phases[\(index)]"
      if phase.name.trimmed.isEmpty { throw fail("a phase name is empty", key) }
      if phase.name.count > DeclaredPhase.maximumNameLength
        || phase.name.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 32 } == true })
      {
        throw fail(
          "phase '\(Names.printable(phase.name))' needs a name of at most "
            + "\(DeclaredPhase.maximumNameLength) characters on one line", key)
      }
      if !seen.insert(phase.name).inserted {
        throw fail("phase '\(Names.printable(phase.name))' is listed twice", key)
      }
      if let weight = phase.weight, !(weight > 0 && weight.isFinite) {
        throw fail(
          "phase '\(Names.printable(phase.name))': 'weight' must be a number above 0, "
            + "got \(weight)", "\(key).weight")
      }
    }
    return phases.map { DeclaredPhase(name: $0.name, weight: $0.weight) }
  }

  private func thresholds(_ definition: AnomalyDefinition?) throws(PipelineError)
    -> AnomalyThresholds
  {
    var thresholds = AnomalyThresholds()
    guard let definition else { return thresholds }
    func check(_ ok: Bool, _ field: String, _ rule: String) throws(PipelineError) {
      if !ok { throw error(rule, field: "anomalies.\(field)") }
    }
    // The baseline is read from the status index at every start: a window
    // longer than years of nightly runs only costs time (and, near Int.max,
    // overflows the arithmetic that sizes it).
    let mostRuns = 10_000
    if let value = definition.minRuns {
      try check((1...mostRuns).contains(value), "min_runs", "must be between 1 and \(mostRuns)")
      thresholds.minimumRuns = value
    }
    if let value = definition.runs {
      try check(value >= thresholds.minimumRuns, "runs", "must be at least min_runs")
      try check(value <= mostRuns, "runs", "must be at most \(mostRuns)")
      thresholds.historyRuns = value
    }
    if let value = definition.durationFactor {
      try check(value > 1 && value.isFinite, "duration_factor", "must be greater than 1")
      thresholds.durationFactor = value
    }
    if let value = definition.counterLow {
      try check(value > 0 && value < 1, "counter_low", "must be between 0 and 1")
      thresholds.counterLow = value
    }
    if let value = definition.counterHigh {
      try check(value > 1 && value.isFinite, "counter_high", "must be greater than 1")
      thresholds.counterHigh = value
    }
    for (counter, bounds) in (definition.totals ?? [:]).sorted(by: { $0.key < $1.key }) {
      let field = "totals.\(counter)"
      try check(!counter.isEmpty, "totals", "must not name an empty counter")
      let low = bounds.low ?? thresholds.counterLow
      let high = bounds.high ?? thresholds.counterHigh
      try check(low > 0 && low < 1, "\(field).low", "must be between 0 and 1")
      try check(high > 1 && high.isFinite, "\(field).high", "must be greater than 1")
      thresholds.totals[counter] = AnomalyThresholds.Bounds(low: low, high: high)
    }
    return thresholds
  }

  private func successRate(_ health: HealthDefinition?) throws(PipelineError) -> Double {
    guard let rate = health?.minSuccessRate else { return Pipeline.defaultMinSuccessRate }
    guard rate >= 0, rate <= 1 else {
      throw error("must be between 0 and 1, got \(rate)", field: "health.min_success_rate")
    }
    return rate
  }

  /// Points each problem at the entry that causes it: the second use of a
  /// name, the `depends_on` entry that names an unknown task.
  private func checkNamesAndReferences(_ tasks: [PipelineTask], written: [TaskDefinition])
    throws(PipelineError)
  {
    var seen = Set<String>()
    for (index, task) in tasks.enumerated() where !seen.insert(task.name).inserted {
      throw PipelineError(
        file: file, line: task.line, field: "tasks[\(index)].name",
        message: "task name '\(task.name)' is used twice")
    }
    for (index, task) in tasks.enumerated() {
      let entries = written[index].dependsOn ?? []
      func entry(_ name: String) -> String {
        "tasks[\(index)].depends_on[\(entries.firstIndex(of: name) ?? 0)]"
      }
      for dependency in task.dependsOn where !seen.contains(dependency) {
        var message = "task '\(task.name)' depends on unknown task '\(dependency)'"
        if let guess = closestMatch(to: dependency, in: seen) {
          message += " (did you mean '\(guess)'?)"
        }
        throw PipelineError(file: file, line: task.line, field: entry(dependency), message: message)
      }
      if task.dependsOn.contains(task.name) {
        throw PipelineError(
          file: file, line: task.line, field: entry(task.name),
          message: "task '\(task.name)' depends on itself")
      }
    }
  }

  private func checkedEnvironment(_ environment: [String: String]?, field: String)
    throws(PipelineError) -> [String: String]
  {
    for (key, value) in environment ?? [:] {
      if key.isEmpty || key.utf8.contains(where: { $0 == UInt8(ascii: "=") || $0 == 0 }) {
        throw error("'\(key)' is not a valid variable name", field: field)
      }
      if value.utf8.contains(0) {
        throw error("the value of \(key) contains a NUL byte", field: field)
      }
    }
    return environment ?? [:]
  }

  /// A duration where `never` means no limit.
  private func limit(_ setting: DurationSetting?, field: String) throws(PipelineError) -> Duration?
  {
    switch setting {
    case .after(let duration):
      if duration <= .zero { throw error("must be longer than zero", field: field) }
      return duration
    case .never, nil: return nil
    }
  }

  /// A duration that cannot be switched off.
  private func required(_ setting: DurationSetting?, field: String) throws(PipelineError)
    -> Duration?
  {
    if setting == .never { throw error("cannot be 'never'", field: field) }
    if case .after(let duration) = setting { return duration }
    return nil
  }

  private func check(_ problem: String?, field: String) throws(PipelineError) {
    if let problem { throw error(problem, field: field) }
  }

  private func error(_ message: String, field: String) -> PipelineError {
    PipelineError(file: file, field: field, message: message)
  }

  private func list(_ names: [String]) -> String {
    names.isEmpty ? "none" : names.joined(separator: ", ")
  }

  private func uniqued(_ names: [String]) -> [String] {
    var seen = Set<String>()
    return names.filter { seen.insert($0).inserted }
  }
}

/// Names that become file names: pipelines, tasks and sources.
package enum Names {
  package static let maximumLength = 128

  /// Why `name` cannot be used ("must not …"), or nil when it can.
  package static func problem(with name: String) -> String? {
    if name.isEmpty { return "must not be empty" }
    if name.utf8.count > maximumLength {
      return "must not be longer than \(maximumLength) characters"
    }
    if name.hasPrefix(".") { return "must not start with '.'" }
    // Names are printed into commands to type (`orchestrate logs RUN NAME`),
    // where a leading '-' would be read as an option.
    if name.hasPrefix("-") { return "must not start with '-'" }
    let allowed = name.unicodeScalars.allSatisfy {
      $0.isASCII
        && ($0.properties.isAlphabetic || ("0"..."9").contains($0)
          || "_-.".unicodeScalars.contains($0))
    }
    if !allowed { return "may contain only letters, digits, '_', '-' and '.'" }
    return nil
  }

  /// Why a task's log files would be another's, or orchestrate's own: a
  /// run directory holds `orchestrate.log` and the journal beside
  /// `<task>.log` and a retry's `<task>.attempt-N.log`.
  package static func logFileProblem(with task: String) -> String? {
    if task == "orchestrate" {
      return "the name is taken by the run's own files (orchestrate.log, orchestrate.journal)"
    }
    // By hand, not with a regular expression: this runs for every task of
    // every run, and Swift's Regex cost 55 µs a task (+30% CPU on 300 tasks).
    guard let dash = task.lastIndex(of: "-") else { return nil }
    let number = task[task.index(after: dash)...]
    let stem = task[..<dash]
    guard !number.isEmpty, number.utf8.allSatisfy({ (48...57).contains($0) }),
      stem.hasSuffix(".attempt"), stem.count > ".attempt".count
    else { return nil }
    return "the name would share a log file with a retry of task '\(stem.dropLast(8))' "
      + "(\(task).log); rename it"
  }

  /// Control characters made visible, so a message stays on one line.
  package static func printable(_ text: String) -> String {
    text.unicodeScalars.map {
      $0.properties.generalCategory == .control ? $0.escaped(asASCII: true) : String($0)
    }
    .joined()
  }
}
