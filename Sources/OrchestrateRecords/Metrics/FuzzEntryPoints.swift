import FoundationEssentials

/// Public doors to readers of untrusted files that have no public API of
/// their own, for the fuzz harnesses in `Fuzz/` (a separate package, which
/// the main build and CI never build). Each calls the reader orchestrate
/// itself uses, on input a harness made up; nothing in orchestrate calls
/// these. The results only keep the work from being optimized away.
public enum FuzzEntryPoints {
  /// Reads `data` as a run journal (`orchestrate.journal`): split as
  /// `RunJournal.read` splits the file, each line through
  /// `JournalEntry(line:)`. Returns the entries' times.
  public static func journal(_ data: Data) -> [Date] {
    var lines = String(decoding: data, as: UTF8.self).split(
      separator: "\n", omittingEmptySubsequences: false)
    lines.removeLast()
    return lines.compactMap { JournalEntry(line: $0)?.date }
  }

  /// Settles `record`, a run whose orchestrator died, with `journal` read
  /// as `journal(_:)` reads it, as the next run does (`RunSettlement`), and
  /// encodes the settled record as it is written back. Returns its JSON.
  public static func settle(_ record: RunRecord, journal data: Data) -> Data {
    var lines = String(decoding: data, as: UTF8.self).split(
      separator: "\n", omittingEmptySubsequences: false)
    lines.removeLast()
    let journal = lines.compactMap { JournalEntry(line: $0) }
    return RecordJSON.encode(RunSettlement.settle(record, journal: journal) { _ in "tail" })
  }

  /// Reads the status index file at `path` as a status call does (every
  /// task decoded) and as a run start does (the `newest` runs' tasks, and
  /// those started since `since`), then decodes the tasks of every run from
  /// the text, and takes each entry's line as a rewrite copies it. Returns
  /// the entries read.
  public static func statusIndex(file path: String, newest: Int = 2, since: Double = 1.7e9)
    -> Int
  {
    let all = IndexFile.read(path, tasks: .all)
    let some = IndexFile.read(path, tasks: .newest(newest, since: since))
    let tasks = IndexFile.tasks(of: Set(some.entries.keys), in: some.data)
    var count = tasks.count
    for cached in all.entries.values { count += all.line(of: cached).isEmpty ? 0 : 1 }
    return count
  }

  /// `StatusIndex.load` on `directory`: its `.status-index` and its
  /// records read, and the index appended to or rewritten. Returns the runs
  /// and unreadable files found.
  public static func loadStatusIndex(directory: String, newest: Int = 2) -> Int {
    let contents = StatusIndex.load(directory: directory, tasks: .newest(newest))
    return contents.runs.count + contents.unreadable.count
  }

  /// Reads `data` as the status index reads a record it has no current
  /// line for (`RunDigest.decode`), named `file`; `scan: false` with
  /// Foundation's decoder alone, what the scanner must agree with.
  public static func runDigest(_ data: Data, file: String, scan: Bool = true) throws -> RunDigest {
    try RunDigest.decode(data, file: file, scan: scan)
  }
}
