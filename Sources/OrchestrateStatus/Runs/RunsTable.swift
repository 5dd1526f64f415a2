import FoundationEssentials

/// `orchestrate runs` for a person at a terminal: a header and one line per
/// run, newest first, never wider than `width`. Columns that say nothing
/// here (the pipeline when one was asked for, environments when no run has
/// one) are left out; on a narrow terminal the least useful go first
/// (rerun of, shortened first, then trigger), the start loses its year, a
/// long pipeline name is cut to 16 columns, then environment, duration and
/// task counts go, and a pipeline name is cut further before the start
/// goes. Run id and status always stay.
public enum RunsTable {
  public static func render(
    _ list: RunList, filter: RunFilter, style: TerminalStyle, width: Int = TerminalWidth.fallback,
    zone: ZoneInfo = .local
  ) -> String {
    guard !list.runs.isEmpty else {
      return filter.selectsEveryRun
        ? "no runs recorded under \(list.root)/metrics" : "no runs match"
    }
    var columns = self.columns(list.runs, filter: filter, zone: zone)
    fit(&columns, width: width)
    var lines = [style.dim(line(columns.map { ($0, $0.title) }))]
    for (index, run) in list.runs.enumerated() {
      lines.append(
        line(columns.map { ($0, $0.cells[index]) }) { column, text in
          column.title == "status" ? StatusTable.paint(run.status, style) : text
        })
    }
    if list.runs.count < list.matching {
      lines.append(
        style.dim(
          StatusTable.fit(
            "\(list.runs.count) of \(list.matching) matching runs; --limit N shows more, --limit 0 all",
            width: width)))
    }
    return lines.map { StatusTable.fit($0, width: width) }.joined(separator: "\n")
  }

  struct Column {
    var title: String
    var cells: [String]
    /// Right-aligned (numbers), else left.
    var numeric = false
    /// Names that may be cut with `…` down to `minimumWidth`.
    var shortenable = false
    var minimumWidth = 0
    /// When it is narrow: `cells` without the year of a start.
    var compact: [String]? = nil
    var width: Int

    init(
      _ title: String, _ cells: [String], numeric: Bool = false, shortenable: Bool = false,
      minimumWidth: Int = 0, compact: [String]? = nil
    ) {
      self.title = title
      self.cells = cells
      self.numeric = numeric
      self.shortenable = shortenable
      self.minimumWidth = minimumWidth
      self.compact = compact
      width = ([title] + cells).map(\.count).max() ?? 0
    }
  }

  static let gap = 2

  static func columns(_ runs: [RunList.Entry], filter: RunFilter, zone: ZoneInfo) -> [Column] {
    // Names come from records anyone who can write to metrics/ can forge.
    let text = { (value: String) in TerminalText.escaped(value) }
    let pipelines = Set(runs.map(\.pipeline))
    var columns = [Column("run", runs.map { text($0.runId) })]
    if !(pipelines.count == 1 && filter.pipelines.count == 1) {
      columns.append(
        Column("pipeline", runs.map { text($0.pipeline) }, shortenable: true, minimumWidth: 6))
    }
    if runs.contains(where: { $0.environment != nil }) {
      columns.append(
        Column("env", runs.map { $0.environment.map(text) ?? "-" }, shortenable: true))
    }
    let started = runs.map { minute($0.startedAt, zone: zone) }
    columns += [
      Column("status", runs.map(\.status.rawValue)),
      Column("started", started, compact: started.map { String($0.dropFirst(5)) }),
      Column(
        "took", runs.map { $0.durationSeconds.map(DurationDisplay.summary) ?? "-" },
        numeric: true),
      Column("failed", runs.map { "\($0.tasksFailed)/\($0.tasksTotal)" }, numeric: true),
      Column("trigger", runs.map(\.trigger.rawValue)),
    ]
    if runs.contains(where: { $0.rerunOf != nil }) {
      columns.append(
        Column(
          "rerun of", runs.map { $0.rerunOf.map(text) ?? "" }, shortenable: true,
          minimumWidth: 16))
    }
    return columns
  }

  /// Steps that make the table narrower, in the order they are taken.
  static func fit(_ columns: inout [Column], width: Int) {
    func used() -> Int { columns.reduce(0) { $0 + $1.width } + gap * (columns.count - 1) }
    func index(_ title: String) -> Int? { columns.firstIndex { $0.title == title } }
    func shorten(_ title: String, to floor: Int? = nil) {
      guard let at = index(title), used() > width else { return }
      let least = max(floor ?? 0, columns[at].minimumWidth)
      columns[at].width = max(min(least, columns[at].width), columns[at].width - (used() - width))
    }
    func drop(_ title: String) {
      guard used() > width, let at = index(title) else { return }
      columns.remove(at: at)
    }
    shorten("rerun of")
    drop("rerun of")
    drop("trigger")
    // The year before the environment: "prod or dev" matters more.
    if used() > width, let at = index("started"), let compact = columns[at].compact {
      columns[at] = Column("started", compact)
    }
    // A long pipeline name is cut before whole columns go for it.
    shorten("pipeline", to: 16)
    drop("env")
    drop("took")
    drop("failed")
    shorten("pipeline")
    drop("started")
  }

  /// Cells padded to their columns, two spaces apart; `paint` colours a
  /// cell after padding, so escapes never count as width.
  static func line(
    _ cells: [(Column, String)], paint: (Column, String) -> String = { $1 }
  ) -> String {
    var text = cells.map { column, cell in
      let shown =
        cell.count > column.width ? String(cell.prefix(max(column.width - 1, 0))) + "…" : cell
      let padding = String(repeating: " ", count: column.width - shown.count)
      return column.numeric ? padding + paint(column, shown) : paint(column, shown) + padding
    }.joined(separator: String(repeating: " ", count: gap))
    while text.last == " " { text.removeLast() }
    return text
  }

  /// `2026-11-22 02:00`, local time.
  static func minute(_ date: Date, zone: ZoneInfo) -> String {
    let utc = Int(date.timeIntervalSince1970.rounded(.down))
    let second = ((utc + zone.secondsFromGMT(at: utc)) % 86400 + 86400) % 86400
    return LogicalDate.of(start: date, offset: .zero, timeZone: zone)
      + String(printf: " %02d:%02d", second / 3600, second % 3600 / 60)
  }
}
