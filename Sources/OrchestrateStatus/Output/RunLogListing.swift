import FoundationEssentials

/// `orchestrate logs RUN_ID`: one line per task (status, attempts, size of
/// its logs) from the run's record, then the orchestrator's own files. The
/// progress and metrics report files and the journal are listed with `--all`.
public struct RunLogListing {
  public var run: StoredRunLogs
  public var files: [ArchivedFile]
  public var record: RunRecord?

  public init(run: StoredRunLogs, files: [ArchivedFile], record: RunRecord?) {
    self.run = run
    self.files = files
    self.record = record
  }

  public func render(root: String, all: Bool) -> String {
    let source = RunLogs.source(of: run)
    let shown = source.hasPrefix(root + "/") ? String(source.dropFirst(root.count + 1)) : source
    var text = "\(run.name) (\(shown))" + (record.map { "  \($0.status.rawValue)" } ?? "") + "\n"
    let sizes = Dictionary(files.map { ($0.path, $0.size) }, uniquingKeysWith: { $1 })
    var rows: [[String]] = []
    var listed = Set<String>()
    for task in record?.tasks ?? [] {
      let names = task.attempts.map { RootLayout.taskLogName(task.name, attempt: $0.number) }
      listed.formUnion(names)
      let bytes = names.compactMap { sizes[$0] }.reduce(0, +)
      let count = task.attempts.count
      if let origin = task.reusedFrom {
        rows.append([task.name, task.status.rawValue, "reused from \(origin)", ""])
        continue
      }
      rows.append([
        task.name, task.status.rawValue, "\(count) attempt\(count == 1 ? "" : "s")",
        count == 0 ? "" : ByteCount.format(bytes),
      ])
    }
    for file in files where !listed.contains(file.path) || all {
      guard all || !Self.isReport(file.path) else { continue }
      rows.append([file.path, "", "", ByteCount.format(file.size)])
    }
    let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
    for row in rows {
      var line = "  "
      for column in 0..<3 {
        line += row[column].padded(to: widths[column] + 2)
      }
      line += String(repeating: " ", count: widths[3] - row[3].count) + row[3]
      text += line.droppingTrailingWhitespace() + "\n"
    }
    return text
  }

  /// Files tasks report through, the crash journal and where secrets stand
  /// in the logs: for machines.
  static func isReport(_ path: String) -> Bool {
    path.hasSuffix(".progress.jsonl") || path.hasSuffix(".metrics.jsonl")
      || path == "orchestrate.journal" || path.hasPrefix(".")
  }
}
