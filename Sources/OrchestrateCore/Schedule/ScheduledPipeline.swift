import FoundationEssentials
import Glibc

/// A pipeline with a schedule, and the command that runs it from cron or
/// systemd: absolute paths only, `--root` only where the file's place does
/// not already say it, nothing that depends on PATH or the working directory.
public struct ScheduledPipeline: Sendable {
  public var name: String
  public var cron: CronExpression
  /// The pipeline's `timezone`; nil: the machine's local zone.
  public var timeZoneName: String?
  /// Absolute.
  public var file: String
  public var root: String
  /// The longest a stop may take: the tasks' grace after SIGTERM, the
  /// `run_if: always` tasks after it, and the notifications at the end.
  public var stopSeconds: Double
  /// What the command line of `schedule` gave for the run (`-e prod`),
  /// over the file's `schedule:` settings; recorded beside the line, so
  /// that a later install given nothing keeps it.
  public var given: ScheduledRunArguments
  /// The environment and parameters the run is started with.
  public var arguments: ScheduledRunArguments
  /// The program and its arguments.
  public var command: [String]

  /// nil when the pipeline has no schedule. `given` must have been
  /// checked against the pipeline (`ScheduledRunArguments.requested`).
  public init?(
    _ pipeline: Pipeline, root: String, binary: String,
    given: ScheduledRunArguments = ScheduledRunArguments()
  ) {
    guard let cron = pipeline.cron else { return nil }
    name = pipeline.name
    self.given = given
    arguments = pipeline.scheduledRun.overlaid(by: given)
    self.cron = cron
    timeZoneName = pipeline.timeZone
    file = URL(fileURLWithPath: pipeline.file).standardizedFileURL.path
    self.root = RootLayout(root: root).root
    let grace = pipeline.tasks.map(\.killGrace).max() ?? PipelineTask.defaultKillGrace
    // A stop ends the tasks with their grace, then `run_if: always` tasks
    // get their finally_timeout.
    stopSeconds = (pipeline.finallyTimeout + grace).seconds
    let notifies =
      !pipeline.notify.channels.isEmpty
      || pipeline.environments.values.contains { !($0.notify ?? []).isEmpty }
    if notifies { stopSeconds += pipeline.notify.timeout.seconds }
    let parent = PathName.parent(file)
    let conventional =
      PathName.last(parent) == "pipelines"
      ? PathName.parent(parent) : nil
    command =
      [binary, file] + (conventional == self.root ? [] : ["--root", self.root]) + arguments.words
  }

  public var schedule: CronSchedule {
    CronSchedule(expression: cron, timeZone: timeZone)
  }

  public var timeZone: ZoneInfo {
    timeZoneName.flatMap(ZoneInfo.named) ?? .local
  }

  /// Whether cron, which reads every line in the machine's zone, runs this
  /// at the right times: no zone named, or one whose offsets match the
  /// machine's over the coming year.
  public func cronAgrees(machine: ZoneInfo = .local, now: Date = Date()) -> Bool {
    guard let named = timeZoneName.flatMap(ZoneInfo.named) else { return true }
    return named.identifier == machine.identifier
      || stride(from: 0.0, to: 366 * 86400, by: 86400 / 2).allSatisfy {
        let date = now.addingTimeInterval($0)
        return named.secondsFromGMT(for: date) == machine.secondsFromGMT(for: date)
      }
  }

  /// The crontab line: the expression as written, then the command for `/bin/sh`.
  public var crontabLine: String {
    "\(cron.text) " + command.map(Self.crontabWord).joined(separator: " ")
  }

  /// A word for `/bin/sh`, quoted when it needs to be, with `%` escaped
  /// (cron turns a bare one into a newline).
  static func crontabWord(_ word: String) -> String {
    ShellWords.quote(word).replacing("%", with: "\\%")
  }
}

/// The executable that is running, for lines that must name it by absolute path.
public enum RunningExecutable {
  public static var path: String {
    FileSystem.linkTarget("/proc/self/exe")
      ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
  }
}
