import FoundationEssentials

/// What a Nagios-style check prints. The first line is the summary, the
/// worst problem first, with the root's figures as performance data after
/// `|` (pipelines by health, runs in progress); the problems follow, one a
/// line; then each pipeline's performance data, on the lines after a second
/// `|` (the plugin convention's long output):
///
///     ORCHESTRATE CRITICAL - bad: last run … failed … (+1 more) | 'pipelines_ok'=1;;;0 …
///     CRITICAL: bad: last run … failed …
///     | 'bad_last_duration'=12.5s;;;0 'bad_success_rate'=0%;80:;;0;100 'bad_running'=0;;;0
///     'good_last_duration'=…
///
/// Nagios keeps the first 8 KB of a plugin's output: the whole is kept
/// within `outputLimit`, problems and troubled pipelines first, and a line
/// says what was left out (`status PIPELINE --check` gives any one pipeline).
public enum HealthCheckLine {
  /// Of the summary and of each problem's line.
  public static let maximumLength = 1000
  /// Bytes of the whole output, below Nagios's 8 KB.
  public static let outputLimit = 8000
  /// Room kept for the line that says what was left out.
  static let noteRoom = 200

  public static func render(_ report: StatusReport) -> String {
    let health = report.health
    let label = "ORCHESTRATE \(health.level.rawValue.uppercased())"
    // Worst first; the rules' own order among problems of one level.
    let worst = health.problems.enumerated().sorted {
      ($0.element.level, $1.offset) > ($1.element.level, $0.offset)
    }.map(\.element)
    var summary: String
    if let first = worst.first {
      summary = "\(label) - \(first.message)"
      if worst.count > 1 { summary += " (+\(worst.count - 1) more)" }
    } else {
      summary = "\(label) - \(report.pipelines.count) pipeline(s) healthy"
    }
    if !report.unreadableFiles.isEmpty {
      summary += "; \(report.unreadableFiles.count) unreadable metrics file(s)"
    }
    var output = CheckOutput(limit: outputLimit)
    output.add("\(text(summary)) | \(rootFigures(report).joined(separator: " "))")
    let detail =
      worst.map { text("\($0.level.rawValue.uppercased()): \($0.message)") }
      + report.unreadableFiles.map { text("unreadable: \($0.path) (\($0.reason))") }
    // Room for two notes: what detail and what figures were left out.
    let shown = output.addWhileRoom(detail, keeping: 2 * noteRoom)
    if shown < detail.count {
      output.add(
        "… \(detail.count - shown) more line(s) of detail: orchestrate status --json gives them all"
      )
    }
    // Problems first, as the report orders its pipelines.
    let figures = report.pipelines.map { performanceData($0).joined(separator: " ") }
    var fitting = output.countFitting(figures, firstPrefix: "| ")
    if fitting < figures.count {
      var withNote = output
      withNote.add(note: noteRoom)
      fitting = withNote.countFitting(figures, firstPrefix: "| ")
      output.add(
        "performance data of \(fitting) of \(figures.count) pipeline(s) below, problems first; "
          + "orchestrate status PIPELINE --check gives any one's")
    }
    for (index, line) in figures.prefix(fitting).enumerated() {
      output.add(index == 0 ? "| " + line : line)
    }
    return output.lines.joined(separator: "\n")
  }

  /// Pipelines by health and runs in progress, for the whole root.
  static func rootFigures(_ report: StatusReport) -> [String] {
    let levels: [HealthLevel] = [.ok, .warning, .critical, .unknown]
    let counts = levels.map { level in
      "'pipelines_\(level.rawValue)'=\(report.pipelines.count(where: { $0.health.level == level }));;;0"
    }
    let running = report.pipelines.reduce(0) { $0 + $1.running.count }
    return counts + ["'running'=\(running);;;0"]
  }

  /// Last duration, success rate in the window and runs in progress, in
  /// the plugin format `'label'=value[unit];warn;crit;min;max`.
  static func performanceData(_ pipeline: PipelineStatus) -> [String] {
    let label = (pipeline.environment.map { "\(pipeline.name)_\($0)" } ?? pipeline.name)
      .replacing("'", with: "_")
    var data: [String] = []
    if let duration = pipeline.lastRun?.durationSeconds {
      data.append("'\(label)_last_duration'=\(decimal(duration))s;;;0")
    }
    if let rate = pipeline.window.successRate {
      data.append(
        "'\(label)_success_rate'=\(decimal(rate * 100))%;\(decimal(pipeline.minSuccessRate * 100)):;;0;100"
      )
    }
    data.append("'\(label)_running'=\(pipeline.running.count);;;0")
    return data
  }

  /// A line of text: `|` would start performance data, and it is cut to
  /// `maximumLength`.
  static func text(_ line: String) -> String {
    let plain = line.replacing("|", with: "/")
    return plain.count > maximumLength ? String(plain.prefix(maximumLength - 1)) + "…" : plain
  }

  /// Three decimals at most, no exponent: what every plugin parser reads.
  public static func decimal(_ value: Double) -> String {
    var text = String(printf: "%.3f", value)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
  }
}

/// Lines of a check's output, counted in bytes against a limit.
struct CheckOutput {
  let limit: Int
  private(set) var lines: [String] = []
  private var bytes = 0

  init(limit: Int) { self.limit = limit }

  mutating func add(_ line: String) {
    bytes += line.utf8.count + (lines.isEmpty ? 0 : 1)
    lines.append(line)
  }

  /// Counts `room` bytes as used, for a line that may be added later.
  mutating func add(note room: Int) { bytes += room }

  func fits(_ line: String, keeping room: Int = 0) -> Bool {
    bytes + 1 + line.utf8.count + room <= limit
  }

  /// Adds `candidates` in order while each fits with `room` to spare;
  /// returns how many were added.
  mutating func addWhileRoom(_ candidates: [String], keeping room: Int) -> Int {
    for (index, line) in candidates.enumerated() {
      guard fits(line, keeping: room) else { return index }
      add(line)
    }
    return candidates.count
  }

  /// How many of `candidates` would fit in order, the first with `firstPrefix`.
  func countFitting(_ candidates: [String], firstPrefix: String) -> Int {
    var copy = self
    for (index, line) in candidates.enumerated() {
      let shown = index == 0 ? firstPrefix + line : line
      guard copy.fits(shown) else { return index }
      copy.add(shown)
    }
    return candidates.count
  }
}
