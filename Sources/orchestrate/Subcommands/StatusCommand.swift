import ArgumentParser
import FoundationEssentials
import OrchestrateKit

struct StatusCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract: "What happened lately, what is running, what is stuck: read from metrics/.",
    discussion: """
      --check follows the Nagios plugin convention: a summary line with the root's \
      performance data after '|', one line per problem after it, then each pipeline's \
      performance data after a second '|', all within 8 KB; exit 0 OK, 1 WARNING, \
      2 CRITICAL, 3 UNKNOWN. --notify tells the pipelines' notify: channels about missed, stuck and \
      abandoned runs, once each (from cron: */10 * * * * orchestrate status --notify --quiet).
      """)

  @Argument(
    help: "A pipeline name (or its file); default: every pipeline under metrics/.",
    completion: Completions.recordedPipeline)
  var pipeline: String?

  @OptionGroup var rootOption: RootOption

  @Option(help: "Statistics cover runs started in the last N days.")
  var days = 7

  @Option(help: "Only the runs for this logical date (YYYY-MM-DD).")
  var date: String?

  @Option(
    name: [.customShort("e"), .long],
    help: "Only this environment's runs (each environment is judged on its own).",
    completion: Completions.environment)
  var environment: String?

  @Flag(help: "Print the report as one JSON document.")
  var json = false

  @Flag(
    help:
      "Health check: a summary line, then the detail; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.")
  var check = false

  @Option(
    help: ArgumentHelp(
      "Write Prometheus textfile-collector metrics to this file (atomically); - for standard output.",
      valueName: "file"))
  var prometheus: String?

  /// `--prometheus -`: the metrics are all that standard output holds.
  private var prometheusToStandardOutput: Bool { prometheus == "-" }

  @Flag(help: "Show per-task statistics for every pipeline (always shown for one).")
  var tasks = false

  @Flag(help: "Send missed, stuck and abandoned runs (and their recovery) to the notify: channels.")
  var notify = false

  @Flag(
    name: [.customShort("q"), .long], help: "Print nothing on stdout (warnings still go to stderr)."
  )
  var quiet = false

  func validate() throws {
    if days < 1 { throw ValidationError("--days must be at least 1, got \(days)") }
    if let date, !LogicalDate.isValid(date) {
      throw ValidationError("--date: '\(date)' is not a date (YYYY-MM-DD)")
    }
    if prometheusToStandardOutput {
      for (flag, given) in [("--json", json), ("--check", check), ("--quiet", quiet)] where given {
        throw ValidationError("--prometheus - and \(flag) both write to standard output")
      }
    }
  }

  func run() throws {
    let (layout, name) = try CommandFailure.exitOnFailure { try target() }
    let report = StatusCollector.collect(
      layout: layout, pipeline: name, windowDays: days, logicalDate: date,
      environment: environment)
    try CommandFailure.exitOnFailure {
      if prometheusToStandardOutput {
        print(PrometheusText.render(report), terminator: "")
      } else if let prometheus {
        do {
          try AtomicFile.write(Data(PrometheusText.render(report).utf8), to: prometheus)
        } catch {
          throw CommandFailure(message: "--prometheus: \(error)", exitCode: 2)
        }
      }
    }
    if notify {
      for line in StatusNotifier.notify(report, layout: layout) {
        if line.isWarning {
          StandardError.write("orchestrate: warning: \(line.text)\n")
        } else if prometheusToStandardOutput {
          StandardError.write("\(line.text)\n")
        } else if !quiet {
          print(line.text)
        }
      }
    }
    if quiet {
      // Nothing to print.
    } else if json {
      let data = try RecordCoding.encoder().encode(report)
      print(String(decoding: data, as: UTF8.self))
    } else if check {
      print(HealthCheckLine.render(report))
    } else if prometheus == nil && !notify {
      print(
        StatusTable.render(
          report, showTasks: tasks || name != nil, style: .detect(), width: TerminalWidth.detect()))
      if let warning = StatusTable.unreadableWarning(report.unreadableFiles) {
        StandardError.write("orchestrate: \(warning)\n")
      }
    }
    if check && report.health.level != .ok { throw ExitCode(report.health.level.exitCode) }
  }

  /// The root and the pipeline named on the command line: a pipeline file
  /// gives both, a bare name is looked for under the root's metrics/.
  private func target() throws -> (RootLayout, String?) {
    guard let pipeline else { return (rootOption.layout, nil) }
    let isFile =
      ["json", "yaml", "yml"].contains(PathName.extension(pipeline))
      || pipeline.contains("/")
    guard isFile else {
      if let unknown = KnownPipelines.unknown(pipeline, layout: rootOption.layout) {
        throw CommandFailure(message: unknown, exitCode: 2)
      }
      return (rootOption.layout, pipeline)
    }
    do {
      let location = try PipelineLocator.locate(
        pipeline, rootOption: rootOption.root, environment: ProcessInfo.processInfo.environment)
      return (RootLayout(root: location.root), try PipelineLoader.load(file: location.file).name)
    } catch {
      throw CommandFailure(message: error.description, exitCode: 2)
    }
  }
}
