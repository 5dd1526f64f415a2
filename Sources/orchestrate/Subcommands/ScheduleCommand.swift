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
      leaving every other line as it is. --install systemd writes one .service and one \
      .timer per pipeline and prints the systemctl command that enables them. Without \
      PIPELINE, every file in <root>/pipelines/ is taken, and the installed entries are \
      made to match them.
      """)

  enum Target: String, ExpressibleByArgument, CaseIterable {
    case crontab, systemd
  }

  @Argument(
    help: "Pipeline files or bare names (default: every file in <root>/pipelines/).",
    completion: Completions.pipeline)
  var pipelines: [String] = []

  @OptionGroup var rootOption: RootOption

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
      let (scheduled, sharedRoot) = try load(root: root)
      switch install {
      case nil:
        let now = Date()
        print(scheduled.map { ScheduleListing.render($0, now: now) }.joined(separator: "\n\n"))
      case .crontab: try installCrontab(scheduled, root: sharedRoot)
      case .systemd: try installSystemd(scheduled)
      }
    }
  }

  /// The scheduled pipelines named (or all in the root) and the root they share.
  private func load(root: String) throws -> ([ScheduledPipeline], String) {
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
      let binary = RunningExecutable.path
      var scheduled: [ScheduledPipeline] = []
      for location in located {
        let pipeline = try PipelineLoader.load(file: location.file)
        if let entry = ScheduledPipeline(pipeline, root: shared, binary: binary) {
          scheduled.append(entry)
        } else if !pipelines.isEmpty {
          throw CommandFailure(
            message: "\(location.file): has no schedule (add e.g. schedule: \"0 2 * * *\")",
            exitCode: 2)
        } else {
          StandardError.write("\(pipeline.name): no schedule, left out\n")
        }
      }
      return (scheduled, shared)
    } catch let error as PipelineError {
      throw CommandFailure(message: error.description, exitCode: 2)
    }
  }

  private func installCrontab(_ scheduled: [ScheduledPipeline], root: String) throws {
    for pipeline in scheduled where !pipeline.cronAgrees() {
      throw CommandFailure(
        message: "\(pipeline.name): timezone \(pipeline.timeZoneName ?? "") differs from this "
          + "machine's zone (\(ZoneInfo.local.identifier)) and cron reads every line in the "
          + "machine's zone; use --install systemd, or drop timezone",
        exitCode: 2)
    }
    let entries = scheduled.map { CrontabBlock.Entry(pipeline: $0.name, line: $0.crontabLine) }
    let wrote = try editCrontab(root: root) { block, current in
      try block.installing(entries, into: current, replacingAll: pipelines.isEmpty)
    }
    if wrote { Self.noteInstalled(scheduled) }
  }

  /// From now on, status owes each of them its runs, even before the first.
  private static func noteInstalled(_ scheduled: [ScheduledPipeline]) {
    for (root, pipelines) in Dictionary(grouping: scheduled, by: \.root) {
      DeclaredPipelines.noteInstalled(pipelines.map(\.name), layout: RootLayout(root: root))
    }
  }

  private func uninstallCrontab(root: String, names: [String]?) throws {
    try editCrontab(root: root) { block, current in
      try block.uninstalling(names, from: current)
    }
  }

  /// Reads the crontab, applies `change`, and shows or writes the result;
  /// whether it wrote.
  @discardableResult
  private func editCrontab(
    root: String, _ change: (CrontabBlock, String) throws -> String
  ) throws -> Bool {
    let program = CrontabProgram(user: crontabUser)
    let whose = "the crontab of \(crontabUser ?? Self.currentUser)"
    do {
      let current = try program.read()
      let updated = try change(CrontabBlock(root: root), current)
      if updated == current {
        print("\(whose) is already up to date")
      } else if dryRun {
        print(
          LineDiff.unified(current, updated, oldName: "crontab", newName: "crontab (changed)"),
          terminator: "")
      } else {
        try program.write(updated)
        print("updated \(whose)")
        return true
      }
      return false
    } catch let error as CrontabProgram.Failure {
      throw CommandFailure(message: error.description, exitCode: 1)
    } catch let error as CrontabBlock.DamagedMarkers {
      throw CommandFailure(message: error.description, exitCode: 2)
    }
  }

  private func installSystemd(_ scheduled: [ScheduledPipeline]) throws {
    let installation = systemd
    let delay = randomizedDelay.flatMap(DurationText.parse)
    let units = scheduled.map { SystemdUnits(pipeline: $0, randomizedDelay: delay) }
    do {
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
      print("to start them: \(installation.enableCommand(units))")
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
      user: user)
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
