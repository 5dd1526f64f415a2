import FoundationEssentials
import Glibc

/// Follows the two files a task may append JSON lines to while it runs:
/// progress (`$ORCHESTRATE_PROGRESS`) and counters (`$ORCHESTRATE_METRICS`).
/// They are named fresh for each attempt and exist once the task first
/// appends (`>>` and `open(…, "a")` create them), so a task that reports
/// nothing costs nothing and leaves nothing behind.
/// Reads only what is new, in bounded chunks, so a task writing endlessly
/// costs bounded memory; malformed lines are counted and skipped.
final class TaskReportFollower {
  let progressPath: String
  let metricsPath: String
  /// `$ORCHESTRATE_ITEMS`: the items the attempt reports, for the ledger.
  let items: ItemReportReader
  private var progressReader: LineReader
  private var metricsReader: LineReader

  private(set) var progress: TaskProgress?
  private var tracker: PhaseTracker
  var phases: [PhaseRecord] { tracker.phases }
  private(set) var metrics: [String: Double] = [:]
  private(set) var malformedLines = 0

  /// More counters than any task needs; the rest are ignored.
  static let maximumCounters = 200
  /// Progress read per poll at most (four polls a second): a few hundred
  /// lines, so a task reporting 10,000 times a second costs little CPU. Older
  /// lines of a larger backlog are states already superseded.
  static let progressBacklog = 32 << 10

  /// `declared`: the task's phases as its pipeline declares them.
  init(
    progressPath: String, metricsPath: String, declared: [DeclaredPhase] = [],
    items: ItemReportReader
  ) {
    tracker = PhaseTracker(declared: declared)
    self.progressPath = progressPath
    self.metricsPath = metricsPath
    self.items = items
    progressReader = LineReader(path: progressPath)
    metricsReader = LineReader(path: metricsPath)
  }

  /// Reads what was appended since the last call; true when anything changed.
  @discardableResult
  func poll(now: Date = Date()) -> Bool {
    var changed = false
    // Items are stamped with the time they are read: soon after written.
    items.poll(now: now)
    // Progress is a stream of states: when far behind, only the newest matter.
    for line in progressReader.readNewLines(skippingTo: Self.progressBacklog) {
      guard let object = Self.object(line) else {
        malformedLines += 1
        continue
      }
      apply(progress: object, at: now)
      changed = true
    }
    for line in metricsReader.readNewLines(skippingTo: nil) {
      guard let object = Self.object(line) else {
        malformedLines += 1
        continue
      }
      for (key, value) in object {
        guard let number = value.number, number.isFinite,
          metrics[key] != nil || metrics.count < Self.maximumCounters
        else { continue }
        metrics[key] = number
        changed = true
      }
    }
    return changed
  }

  /// Writes what was followed into the task's record.
  func store(in task: inout TaskRecord) {
    task.progress = progress
    task.phases = phases.isEmpty ? nil : phases
    task.metrics = metrics.isEmpty ? nil : metrics
    let malformed = malformedLines + items.malformedLines
    task.malformedReportLines = malformed == 0 ? nil : malformed
  }

  /// Ends the current phase: the task's process is gone. `completed`:
  /// whether the attempt completed; `error`: the end of its output if not.
  func finish(at date: Date, completed: Bool, error: String?) {
    tracker.finish(at: date, completed: completed, error: error)
  }

  private func apply(progress object: [String: JSONValue], at now: Date) {
    func number(_ key: String) -> Double? {
      object[key]?.number.flatMap { $0.isFinite ? $0 : nil }
    }
    // Shown on terminals (the live view, status): escaped once, here.
    let phase = object["phase"]?.string.map { TerminalText.escaped($0.prefix(100)) }
    let update = TaskProgress(
      done: number("done"), total: number("total"),
      message: object["message"]?.string.map { TerminalText.escaped($0.prefix(300)) },
      phase: phase ?? progress?.phase, updatedAt: now)
    progress = update
    if let phase { tracker.enter(phase, at: now) }
    tracker.count(done: update.done, total: update.total)
  }

  private static func object(_ line: Data) -> [String: JSONValue]? {
    try? JSONDecoder().decode([String: JSONValue].self, from: line)
  }
}

/// New complete lines of a growing file, read in fixed-size chunks.
struct LineReader {
  let path: String
  private var offset: off_t = 0
  private var partial = Data()
  /// The bytes before the first newline are the tail of a line whose start
  /// was skipped or dropped.
  private var discardFirstLine = false
  static let chunkSize = 256 << 10
  /// A line longer than this is malformed by definition; it is dropped.
  static let maximumLineLength = 64 << 10

  init(path: String) {
    self.path = path
  }

  /// Complete lines appended since the last call, at most `maximumBytes`
  /// of them (the rest next time). With `skippingTo`, a backlog larger than
  /// that is skipped but for its last `skippingTo` bytes.
  mutating func readNewLines(skippingTo limit: Int?, maximumBytes: Int = 4 << 20) -> [Data] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return [] }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { return [] }
    if info.st_size < offset {
      // Truncated by the task: start again from the top.
      offset = 0
      partial.removeAll()
      discardFirstLine = false
    }
    if let limit, info.st_size - offset > off_t(limit) {
      offset = info.st_size - off_t(limit)
      partial.removeAll()
      discardFirstLine = true
    }
    var lines: [Data] = []
    var buffer = [UInt8](repeating: 0, count: Self.chunkSize)
    var read = 0
    while read < maximumBytes {
      let count = pread(fd, &buffer, buffer.count, offset)
      guard count > 0 else { break }
      offset += off_t(count)
      read += count
      partial.append(contentsOf: buffer[..<count])
      var start = partial.startIndex
      while let newline = partial[start...].firstIndex(of: UInt8(ascii: "\n")) {
        if discardFirstLine {
          discardFirstLine = false
        } else {
          lines.append(Data(partial[start..<newline]))
        }
        start = newline + 1
      }
      partial.removeSubrange(partial.startIndex..<start)
      if partial.count > Self.maximumLineLength {
        partial.removeAll()
        discardFirstLine = true
      }
      if count < buffer.count { break }
    }
    return lines
  }
}
