import FoundationEssentials
import Glibc

/// What a run shows, and where. Cron mails whatever a job prints, so
/// without a terminal a run that went well prints nothing at all and one
/// that did not prints a report; a person at a terminal sees the event
/// lines, the live view and the summary.
public struct RunOutput: Sendable {
  /// `--verbose`: the event lines on stderr whatever stdout is.
  public var verbose: Bool
  /// `--quiet`: nothing, ever; the exit code says it all.
  public var quiet: Bool
  /// Standard output is a terminal.
  public var terminal: Bool
  public var style: TerminalStyle

  public init(
    verbose: Bool, quiet: Bool, terminal: Bool = isatty(STDOUT_FILENO) == 1,
    style: TerminalStyle = .detect()
  ) {
    self.verbose = verbose
    self.quiet = quiet
    self.terminal = terminal
    self.style = style
  }

  /// Whether event lines go to stderr (they always go to `orchestrate.log`).
  public var echoesEvents: Bool { !quiet && (terminal || verbose) }

  /// Whether a one-line error (a definition error, a held lock) is printed.
  public var showsErrors: Bool { !quiet }

  /// What to print on stdout once the run is over, if anything.
  public func finalText(
    _ record: RunRecord, metricsFile: String, root: String, problems: [String]
  ) -> String? {
    if quiet { return nil }
    if terminal { return RunSummary.render(record, metricsFile: metricsFile, style: style) }
    if RunReport.isNeeded(record, problems: problems) {
      return RunReport.render(record, metricsFile: metricsFile, root: root, problems: problems)
    }
    return verbose ? RunSummary.render(record, metricsFile: metricsFile, style: style) : nil
  }
}
