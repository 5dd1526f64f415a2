import FoundationEssentials

/// `orchestrate items` on a terminal: the stages as a table fitted to the
/// width (columns dropped from the right first, as status does), then the
/// stuck items, the newest failures, and the selection or history asked
/// for. Ids and errors come from tasks: escaped before they are printed.
public enum ItemsTable {
  public static func render(_ report: ItemsReport, style: TerminalStyle, width: Int) -> String {
    var lines: [String] = []
    lines.append(
      style.bold(clip(TerminalText.escaped(report.pipeline), width))
        + ": \(report.items) item\(report.items == 1 ? "" : "s")")
    if report.stages.isEmpty {
      lines.append("  no item reported yet")
    } else {
      let table = ColumnTable(
        nameTitle: "stage",
        columns: [
          .init("done", width: 9), .init("failed", width: 8), .init("started", width: 9),
          .init("backlog", width: 9), .init("skipped", width: 9), .init("fail%", width: 7),
        ], kept: 2)
      let rows = report.stages.map { row in
        ColumnTable.Row(
          name: row.stage,
          cells: [
            "\(row.done)", "\(row.failed)", "\(row.started)", row.backlog.map { "\($0)" } ?? "-",
            "\(row.skipped)",
            row.failureRate.map { String(Int(($0 * 100).rounded())) + "%" } ?? "-",
          ])
      }
      lines += table.render(rows, width: width, style: style)
    }
    if report.stuckCount > 0 {
      lines.append(
        style.red(
          "stuck: \(report.stuckCount) item\(report.stuckCount == 1 ? "" : "s") started over "
            + DurationDisplay.short(report.stuckAfterSeconds) + " ago"))
      for ref in report.stuck { lines.append(clip("  " + describe(ref), width)) }
    }
    if !report.failures.isEmpty {
      lines.append("newest failures:")
      for ref in report.failures.prefix(10) { lines.append(clip("  " + describe(ref), width)) }
    }
    if let selection = report.selection {
      let count = report.selectionCount ?? selection.count
      lines.append("selected: \(count) item stage\(count == 1 ? "" : "s")")
      for ref in selection { lines.append(clip("  " + describe(ref), width)) }
      if count > selection.count {
        lines.append(style.dim("  … \(count - selection.count) more (--limit 0 shows all)"))
      }
    }
    if let history = report.history {
      lines.append("history: \(history.count) event\(history.count == 1 ? "" : "s")")
      if let removed = report.historyRemovedRuns {
        lines.append(
          style.dim(
            clip(
              "  kept events only: those of \(removed) older run(s) were deleted by "
                + "items.keep_events (the counts still hold them)", width)))
      }
      for event in history {
        var text =
          "  \(Timestamp.format(event.at))  \(event.stage) \(event.status.rawValue)  "
          + "\(event.run) \(TerminalText.escaped(event.task)) #\(event.attempt)"
        if let error = event.error { text += "  " + TerminalText.escaped(error) }
        lines.append(clip(text, width))
      }
    }
    return lines.joined(separator: "\n")
  }

  /// What matters most first, so that a narrow terminal cuts the least
  /// useful part: the item, where it stands, its error, then when and where.
  static func describe(_ ref: ItemsReport.ItemRef) -> String {
    var text = "\(TerminalText.escaped(ref.item))  \(ref.stage) \(ref.status.rawValue)"
    if let error = ref.error { text += "  " + TerminalText.escaped(error) }
    return text + "  \(Timestamp.format(ref.at))  \(ref.run) \(TerminalText.escaped(ref.task))"
  }

  static func clip(_ text: String, _ width: Int) -> String {
    text.count <= width ? text : String(text.prefix(max(width - 1, 1))) + "…"
  }
}
