import ArgumentParser
import FoundationEssentials
import Glibc
import OrchestrateKit

struct ScheduleCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "schedule",
    abstract: "Show when pipelines are due, and install their schedules in cron or systemd.",
    discussion: """
      Without an action, prints each scheduled pipeline's next five due times, its crontab \
      line and its systemd calendar. --install crontab writes the lines into the current \
      user's crontab between '# BEGIN orchestrate <root>' and '# END orchestrate <root>', \
      leaving every other line as it is, and every line inside that a person edited, unless \
      --force. --install systemd writes one .service and one .timer per pipeline and prints \
      the systemctl command that enables them. Without PIPELINE, every file in \
      <root>/pipelines/ is taken, and the installed entries are made to match them. \
      Scheduled runs get the environment and parameters of the file's schedule: mapping, \
      and those of -e and -p (and bool parameter flags such as --full-refresh), which a \
      later install given none keeps.
      """)

  enum Target: String, ExpressibleByArgument, CaseIterable {
    case crontab, systemd
  }

  /// Pipelines and the flags of bool parameters in one list: ArgumentParser
  /// collects unknown options (`--full-refresh`) only into a list that no
  /// other positional list precedes.
  @Argument(
    parsing: .allUnrecognized,
    help: ArgumentHelp(
      "Pipeline files or bare names (default: every file in <root>/pipelines/), and flags of "
        + "bool parameters for scheduled runs (--full-refresh, --no-full-refresh).",
      valueName: "pipeline"),
    completion: Completions.pipeline)
  var words: [String] = []

  var pipelines: [String] { words.filter { !$0.hasPrefix("-") } }
  var parameterFlags: [String] { words.filter { $0.hasPrefix("-") } }
  var runRequest: RunSettings.Request { runOptions.request(flags: parameterFlags) }
  var isRunRequested: Bool {
    runOptions.environment != nil || !runOptions.assignments.isEmpty || !parameterFlags.isEmpty
  }

  @OptionGroup var rootOption: RootOption

  @OptionGroup var runOptions: ScheduledRunOptions

  @Option(help: "Install the schedules: crontab or systemd.")
  var install: Target?

  @Option(help: "Remove what --install wrote: crontab or systemd.")
  var uninstall: Target?

  @Flag(help: "Show what would change (a diff of the crontab, the unit files); change nothing.")
  var dryRun = false

  @Flag(help: "systemd: user units in ~/.config/systemd/user, for systemctl --user.")
  var user = false

  @Option(help: "systemd: write the units into this directory instead.")
  var unitDir: String?

  @Option(help: "systemd: RandomizedDelaySec= of the timers, as a duration (e.g. 5m).")
  var randomizedDelay: String?

  @Option(
    help: ArgumentHelp(
      "systemd: User= of system units (default: the user who ran sudo, else you).",
      valueName: "user"))
  var runAs: String?

  @Flag(
    help: """
      Replace lines edited by hand in the crontab's block, and drop -e and -p an earlier \
      install was given.
      """)
  var force = false

  @Flag(
    help: """
      crontab: also run 'status --notify --quiet' for the root every 10 minutes, which tells \
      of runs that never started.
      """)
  var watchdog = false

  /// Whose crontab to edit (`crontab -u`, root only): lets tests leave root's own alone.
  @Option(help: .hidden)
  var crontabUser: String?

  func validate() throws {
    if install != nil && uninstall != nil {
      throw ValidationError("--install and --uninstall cannot be used together")
    }
    let target = install ?? uninstall
    if target != .systemd && (user || unitDir != nil || randomizedDelay != nil) {
      throw ValidationError("--user, --unit-dir and --randomized-delay apply to systemd only")
    }
    if dryRun && target == nil {
      throw ValidationError("--dry-run needs --install or --uninstall")
    }
    if force && target == nil {
      throw ValidationError("--force needs --install or --uninstall")
    }
    if watchdog && target != .crontab {
      throw ValidationError("--watchdog applies to --install crontab and --uninstall crontab")
    }
    if runAs != nil && (install != .systemd || user) {
      throw ValidationError(
        "--run-as applies to --install systemd without --user (user units run as their user)")
    }
    if uninstall != nil, let flag = parameterFlags.first {
      throw ValidationError("unknown option '\(flag)'")
    }
    if uninstall != nil && isRunRequested {
      throw ValidationError("-e, -p and parameter flags apply to the listing and --install")
    }
    if let randomizedDelay, DurationText.parse(randomizedDelay) == nil {
      throw ValidationError("--randomized-delay: '\(randomizedDelay)' is not a duration")
    }
  }

  func run() throws {
    try CommandFailure.exitOnFailure {
      let root = rootOption.layout.root
      if let uninstall {
        let names = pipelines.isEmpty ? nil : pipelines.map(Self.pipelineName)
        switch uninstall {
        case .crontab: try uninstallCrontab(root: root, names: names)
        case .systemd: try uninstallSystemd(root: root, names: names)
        }
        return
      }
      let (loaded, sharedRoot) = try load(root: root)
      switch install {
      case nil:
        let now = Date()
        let scheduled = try self.scheduled(loaded, root: sharedRoot) { _ in [] }
        print(scheduled.map { ScheduleListing.render($0, now: now) }.joined(separator: "\n\n"))
      case .crontab: try installCrontab(loaded, root: sharedRoot)
      case .systemd: try installSystemd(loaded, root: sharedRoot)
      }
    }
  }

  /// The scheduled pipelines named (or all in the root) and the root they share.
  private func load(root: String) throws -> ([Pipeline], String) {
    let environment = ProcessInfo.processInfo.environment
    var located: [(file: String, root: String)] = []
    do {
      if pipelines.isEmpty {
        let directory = "\(root)/pipelines"
        let found = PipelineLocator.pipelineFiles(in: directory)
        located = found.files.map { ("\(directory)/\($0)", root) }
        for name in found.shadowed {
          let stem = PathName.droppingExtension(name)
          let chosen = found.files.first { PathName.droppingExtension($0) == stem } ?? stem
          StandardError.write("\(name): left out: the name \(stem) finds \(chosen) first\n")
        }
        if located.isEmpty {
          throw CommandFailure(message: "no pipeline files in \(directory)", exitCode: 2)
        }
      } else {
        located = try pipelines.map {
          let location = try PipelineLocator.locate(
            $0, rootOption: rootOption.root, environment: environment)
          return (location.file, location.root)
        }
      }
      let roots = Set(located.map(\.root))
      guard roots.count == 1, let shared = roots.first else {
        throw CommandFailure(
          message:
            "the pipelines belong to different roots (\(roots.sorted().joined(separator: ", "))); "
            + "give them one root at a time",
          exitCode: 2)
      }
      var scheduled: [Pipeline] = []
      for location in located {
        let pipeline = try PipelineLoader.load(file: location.file)
        if pipeline.cron != nil {
          scheduled.append(pipeline)
        } else if !pipelines.isEmpty {
          throw CommandFailure(
            message: "\(location.file): has no schedule (add e.g. schedule: \"0 2 * * *\")",
            exitCode: 2)
        } else {
          StandardError.write("orchestrate: \(pipeline.name): no schedule, left out\n")
        }
      }
      return (scheduled, shared)
    } catch let error as PipelineError {
      throw CommandFailure(message: error.description, exitCode: 2)
    }
  }

  /// The pipelines with the command lines of their runs: the file's
  /// schedule settings, under those of this command line or, when it has
  /// none, those `earlier` says an earlier install was given.
  private func scheduled(
    _ pipelines: [Pipeline], root: String, earlier: (String) -> [String]
  ) throws -> [ScheduledPipeline] {
    let binary = RunningExecutable.path
    return try pipelines.map { pipeline in
      let choice: (given: ScheduledRunArguments, isEarlier: Bool)
      do {
        choice = try ScheduledRunArguments.forInstall(
          runRequest, earlier: earlier(pipeline.name), force: force, for: pipeline)
      } catch {
        throw CommandFailure(message: "\(pipeline.name): \(error)", exitCode: 2)
      }
      if choice.isEarlier {
        print(
          "pipeline \(pipeline.name): kept \(choice.given.words.joined(separator: " ")), given to "
            + "an earlier install (-e or -p change them, --force drops them)")
      }
      return ScheduledPipeline(pipeline, root: root, binary: binary, given: choice.given)!
    }
  }

  private func installCrontab(_ pipelines: [Pipeline], root: String) throws {
    let block = CrontabBlock(root: root)
    try editCrontab { current in
      let earlier = try block.entries(in: current)
      let scheduled = try self.scheduled(pipelines, root: root) { name in
        earlier.first { $0.pipeline == name }?.given ?? []
      }
      for pipeline in scheduled where !pipeline.cronAgrees() {
        throw CommandFailure(
          message: "\(pipeline.name): timezone \(pipeline.timeZoneName ?? "") differs from this "
            + "machine's zone (\(ZoneInfo.local.identifier)) and cron reads every line in the "
            + "machine's zone; use --install systemd, or drop timezone",
          exitCode: 2)
      }
      var entries = scheduled.map {
        CrontabBlock.Entry(subject: .pipeline($0.name), line: $0.crontabLine, given: $0.given.words)
      }
      if watchdog {
        entries.append(.watchdog(binary: RunningExecutable.path, root: root))
      }
      let edit = try block.installing(
        entries, into: current, replacingAll: self.pipelines.isEmpty, force: force)
      return (edit, { Self.noteInstalled(scheduled) })
    }
  }

  /// From now on, status owes each of them its runs, even before the first.
  private static func noteInstalled(_ scheduled: [ScheduledPipeline]) {
    for (root, pipelines) in Dictionary(grouping: scheduled, by: \.root) {
      DeclaredPipelines.noteInstalled(pipelines.map(\.name), layout: RootLayout(root: root))
    }
  }

  private func uninstallCrontab(root: String, names: [String]?) throws {
    var subjects = names?.map(CrontabBlock.Subject.pipeline)
    if watchdog { subjects = (subjects ?? []) + [.watchdog] }
    try editCrontab { current in
      (try CrontabBlock(root: root).uninstalling(subjects, from: current, force: force), {})
    }
  }

  /// Reads the crontab, makes the edit `change` returns, shows it or
  /// writes it (then runs what `change` returned with it), and tells of
  /// the lines edited by hand it kept or dropped.
  private func editCrontab(
    _ change: (String) throws -> (CrontabBlock.Edit, afterWriting: () -> Void)
  ) throws {
    let program = CrontabProgram(user: crontabUser)
    let whose = "the crontab of \(crontabUser ?? Self.currentUser)"
    do {
      let current = try program.read()
      let (edit, afterWriting) = try change(current)
      if edit.crontab == current {
        print("\(whose) is already up to date")
      } else if dryRun {
        print(
          LineDiff.unified(current, edit.crontab, oldName: "crontab", newName: "crontab (changed)"),
          terminator: "")
      } else {
        try program.write(edit.crontab)
        print("updated \(whose)")
        afterWriting()
      }
      for handEdit in edit.handEdits { print(handEdit) }
    } catch let error as CrontabProgram.Failure {
      throw CommandFailure(message: error.description, exitCode: 1)
    } catch let error as CrontabBlock.DamagedMarkers {
      throw CommandFailure(message: error.description, exitCode: 2)
    }
  }

  private func installSystemd(_ pipelines: [Pipeline], root: String) throws {
    let installation = systemd
    let delay = randomizedDelay.flatMap(DurationText.parse)
    do {
      let serviceUser =
        user
        ? nil
        : try SystemdInstallation.serviceUser(
          requested: runAs, environment: ProcessInfo.processInfo.environment)
      let scheduled = try self.scheduled(pipelines, root: root) {
        installation.given(pipeline: $0, root: root)
      }
      let units = scheduled.map {
        SystemdUnits(pipeline: $0, randomizedDelay: delay, user: serviceUser)
      }
      let files = try installation.files(for: units)
      if dryRun {
        for file in files {
          let current = (try? String(contentsOfFile: file.path, encoding: .utf8)) ?? ""
          let diff = LineDiff.unified(
            current, file.text, oldName: current.isEmpty ? "/dev/null" : file.path,
            newName: file.path)
          print(
            diff.isEmpty ? "\(file.path) is already up to date" : diff,
            terminator: diff.isEmpty ? "\n" : "")
        }
        return
      }
      try installation.write(files)
      Self.noteInstalled(scheduled)
      for file in files { print("wrote \(file.path)") }
      for line in installation.startLines(units) { print(line) }
    } catch let error as SystemdInstallation.Refusal {
      throw CommandFailure(message: error.description, exitCode: 2)
    } catch let error as AtomicFile.WriteError {
      throw CommandFailure(message: error.description, exitCode: 1)
    }
  }

  private func uninstallSystemd(root: String, names: [String]?) throws {
    let installation = systemd
    let files = installation.installed(root: root, pipelines: names)
    guard !files.isEmpty else {
      print("no units of \(root) in \(installation.directory)")
      return
    }
    if dryRun {
      for file in files { print("would remove \(installation.directory)/\(file)") }
      return
    }
    do {
      let stop = try installation.remove(files)
      for file in files { print("removed \(installation.directory)/\(file)") }
      print("to stop them: \(stop)")
    } catch {
      throw CommandFailure(
        message: "cannot remove units: \(ErrorText.describe(error))", exitCode: 1)
    }
  }

  private var systemd: SystemdInstallation {
    let environment = ProcessInfo.processInfo.environment
    return SystemdInstallation(
      directory: unitDir.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        ?? SystemdInstallation.defaultDirectory(user: user, environment: environment),
      user: user, environment: environment)
  }

  /// `daily.yaml` and `pipelines/daily.yaml` name pipeline `daily`.
  private static func pipelineName(_ argument: String) -> String {
    let base = PathName.last(argument)
    return ["json", "yaml", "yml"].contains(PathName.extension(base))
      ? PathName.droppingExtension(base) : base
  }

  private static var currentUser: String {
    getpwuid(geteuid()).flatMap { $0.pointee.pw_name.map { String(cString: $0) } }
      ?? String(geteuid())
  }
}
