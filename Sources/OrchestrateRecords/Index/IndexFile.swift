import FoundationEssentials
import Glibc
import HeapModule

/// The status index on disk: a header line, then one tab-separated line per
/// record file. Plain text so that it can be read without a JSON parser in
/// the way, and inspected with `cat` when in doubt.
///
///     name  size  mtime_ns  R  run_id  status  started  duration  environment  trigger
///         tasks_total  tasks_failed  rerun_of  (task  status  duration  rss  counters  attempts)*
///
/// `F` instead of `R` marks a run started with `--source`; trigger is `S`
/// (scheduled) or `M` (manual); `-` is an absent value. A file whose header
/// names another version is not read at all: every record is read again
/// and the index rewritten in this version, so no field is ever taken for
/// another (`StatusIndex.header`).
///
/// `counters` is `name=value,name=value` with `%`, `=`, `,`, tab and newline
/// in names percent-escaped, or `-`.
///     name  size  mtime_ns  U  reason
///
/// and, as the last line only, the directory's `DirectoryMark`:
///     .  inode  ctime_ns
package enum IndexFile {
  package struct Cached {
    package var stamp: StatusIndex.Stamp
    package var entry: StatusIndex.Entry
    /// The entry's line in `Snapshot.data`, newline excluded.
    package var line: Range<Int>
  }

  /// What the index file held.
  package struct Snapshot {
    package var entries: [String: Cached] = [:]
    /// Entry lines, superseded ones included.
    package var lines = 0
    /// The header matched and the last line was complete: safe to append to.
    package var isIntact = false
    /// The file as read: a rewrite copies current lines from it unchanged.
    package var data = Data()

    package func line(of cached: Cached) -> String {
      String(decoding: data[cached.line], as: UTF8.self)
    }
  }

  /// Which runs get their task digests decoded. Years of history hold far
  /// more tasks than anyone reads: a run start needs its baselines, status
  /// its window and baselines.
  package enum TaskSelection {
    case all
    /// The `count` newest runs by start, and every run started at or after `since`.
    case newest(Int, since: Double = .infinity)
  }

  /// Scanned by hand over raw bytes, reusing the previous line's task names:
  /// reading this file is most of what a warm status call does. Runs left
  /// out by `tasks` keep an empty task list.
  /// Newlines in `bytes`, counted with memchr.
  package static func lineCount(_ bytes: UnsafeRawBufferPointer) -> Int {
    guard var cursor = bytes.baseAddress else { return 0 }
    let end = cursor + bytes.count
    var count = 0
    while cursor < end, let hit = memchr(cursor, 10, end - cursor) {
      count += 1
      cursor = UnsafeRawPointer(hit) + 1
    }
    return count
  }

  package static func read(_ path: String, tasks selection: TaskSelection = .all) -> Snapshot {
    guard let data = contents(path) else { return Snapshot() }
    return read(data, tasks: selection)
  }

  /// The file's bytes; mapped when large: over years of runs an index is
  /// tens of megabytes, and a read would have the kernel zero and copy
  /// every page of it, most of a warm status call. The file is only ever
  /// appended to or replaced by a rename, so a mapping keeps its bytes.
  package static func contents(_ path: String) -> Data? {
    let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var info = stat()
    guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
    let size = Int(info.st_size)
    if size >= StatusIndex.smallIndexBytes,
      let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), base != MAP_FAILED
    {
      return Data(bytesNoCopy: base, count: size, deallocator: .custom { munmap($0, $1) })
    }
    // Read as far as `fstat` said: lines appended since come with the next read.
    var data = Data(count: size)
    let filled = data.withUnsafeMutableBytes { buffer -> Int in
      var done = 0
      while done < size {
        let got = Glibc.read(descriptor, buffer.baseAddress! + done, size - done)
        if got <= 0 { break }
        done += got
      }
      return done
    }
    return filled == size ? data : data.prefix(filled)
  }

  package static func read(_ data: Data, tasks selection: TaskSelection = .all) -> Snapshot {
    var snapshot = data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Snapshot in
      guard var lines = entryLines(bytes) else { return Snapshot() }
      var snapshot = Snapshot()
      // One entry per line: sized once instead of grown (and rehashed)
      // a dozen times over 20,000 runs.
      snapshot.entries.reserveCapacity(lineCount(bytes))
      var names: [String] = []
      let since: Double =
        switch selection {
        case .all: -.infinity
        case .newest(_, let since): since
        }
      let reader = lines  // for the closure below: `lines` is busy splitting
      var lineStart = lines.position
      // A run's own fields come first, its start the seventh; its tasks
      // follow in groups of five, split only for runs started since `since`.
      while let fields = lines.next(
        limit: runFields, whole: { reader.double($0[6]).map { $0 >= since } ?? true })
      {
        snapshot.lines += 1
        // Later lines supersede earlier ones: the index is appended to.
        if let (name, stamp, entry) = parse(fields, lines, names: &names, tasks: lines.isWhole) {
          snapshot.entries[name] = Cached(
            stamp: stamp, entry: entry, line: lineStart..<(lines.position - 1))
        }
        lineStart = lines.position
      }
      snapshot.isIntact = bytes.last == UInt8(ascii: "\n")
      if case .newest(let count, let since) = selection {
        decodeTasks(of: newest(snapshot.entries, count, before: since), in: &snapshot, bytes)
      }
      return snapshot
    }
    snapshot.data = data
    return snapshot
  }

  /// The task digests of the runs named, from their newest lines in the
  /// index's text: what a header-only read left out.
  package static func tasks(of names: Set<String>, in data: Data) -> [String: [RunDigest
    .TaskDigest]]
  {
    guard !names.isEmpty else { return [:] }
    return data.withUnsafeBytes { bytes -> [String: [RunDigest.TaskDigest]] in
      guard var lines = entryLines(bytes) else { return [:] }
      var newest: [String: Int] = [:]
      var lineStart = lines.position
      while let fields = lines.next(limit: 1) {
        let name = lines.string(fields[0])
        if names.contains(name) { newest[name] = lineStart }
        lineStart = lines.position
      }
      var taskNames: [String] = []
      return newest.compactMapValues { run(at: $0, bytes, names: &taskNames)?.tasks }
    }
  }

  /// Lines after the header, or nil when the file is not an index.
  private static func entryLines(_ bytes: UnsafeRawBufferPointer) -> LineFields? {
    var lines = LineFields(bytes)
    guard let header = lines.next(), header.count == 1,
      lines.string(header[0]) == StatusIndex.header
    else { return nil }
    return lines
  }

  /// The run on the line that starts at `start`, its tasks decoded.
  private static func run(at start: Int, _ bytes: UnsafeRawBufferPointer, names: inout [String])
    -> RunDigest?
  {
    var line = LineFields(bytes, from: start)
    guard let fields = line.next(),
      let (_, _, entry) = parse(fields, line, names: &names, tasks: true),
      case .run(let digest) = entry
    else { return nil }
    return digest
  }

  /// The `count` newest runs, of those started before `since` (the rest
  /// had their tasks decoded as they were read).
  private static func newest(_ entries: [String: Cached], _ count: Int, before since: Double)
    -> [String]
  {
    guard count > 0 else { return [] }
    // The newest `count` of all runs, kept in a heap: no sort of years of them.
    var newest = Heap<Newest>()
    for (name, cached) in entries {
      guard case .run(let digest) = cached.entry else { continue }
      if newest.count < count {
        newest.insert(Newest(started: digest.startedAt, name: name))
      } else if let oldest = newest.min, digest.startedAt > oldest.started {
        newest.replaceMin(with: Newest(started: digest.startedAt, name: name))
      }
    }
    return newest.unordered.filter { $0.started < since }.map(\.name)
  }

  private struct Newest: Comparable {
    var started: Double
    var name: String
    static func < (lhs: Newest, rhs: Newest) -> Bool { lhs.started < rhs.started }
  }

  private static func decodeTasks(
    of names: [String], in snapshot: inout Snapshot, _ bytes: UnsafeRawBufferPointer
  ) {
    var taskNames: [String] = []
    for name in names {
      guard let start = snapshot.entries[name]?.line.lowerBound,
        let digest = run(at: start, bytes, names: &taskNames)
      else { continue }
      snapshot.entries[name]?.entry = .run(digest)
    }
  }

  private static func parse(
    _ fields: [Range<Int>], _ lines: LineFields, names: inout [String], tasks decodeTasks: Bool
  ) -> (String, StatusIndex.Stamp, StatusIndex.Entry)? {
    guard fields.count >= 5, let size = lines.integer(fields[1]),
      let modified = lines.integer(fields[2])
    else { return nil }
    let stamp = StatusIndex.Stamp(size: size, modified: modified)
    let name = lines.string(fields[0])
    let kind = lines.string(fields[3])
    if kind == "U" { return (name, stamp, .unreadable(lines.string(fields[4]))) }
    guard kind == "R" || kind == "F", fields.count >= runFields,
      !decodeTasks || (fields.count - runFields) % taskFields == 0,
      let status = lines.oneOf(fields[5], Spelling.runStatuses),
      let started = lines.double(fields[6]),
      let tasksTotal = lines.integer(fields[10]), let tasksFailed = lines.integer(fields[11]),
      (0...Int64(Int32.max)).contains(tasksTotal), (0...tasksTotal).contains(tasksFailed)
    else { return nil }
    var tasks: [RunDigest.TaskDigest] = []
    if decodeTasks { tasks.reserveCapacity((fields.count - runFields) / taskFields) }
    for (position, index) in stride(
      from: runFields, to: decodeTasks ? fields.count : runFields, by: taskFields
    )
    .enumerated() {
      guard let taskStatus = lines.oneOf(fields[index + 1], Spelling.taskStatuses) else {
        return nil
      }
      // Runs of one pipeline name the same tasks: share the strings.
      if position >= names.count || !lines.equals(fields[index], names[position]) {
        let taskName = lines.string(fields[index])
        if position < names.count { names[position] = taskName } else { names.append(taskName) }
      }
      tasks.append(
        RunDigest.TaskDigest(
          name: names[position], status: taskStatus,
          durationSeconds: lines.double(fields[index + 2]),
          peakRssBytes: lines.integer(fields[index + 3]).map(Int.init),
          metrics: counters(fields[index + 4], lines),
          attempts: lines.integer(fields[index + 5]).map(Int.init) ?? 1))
    }
    // A line whose run id is not its file's is not trusted: the record is
    // read again, and judged there.
    let runId = lines.string(fields[4])
    guard RecordCoding.namesItsFile(runId: runId, file: name) else { return nil }
    let digest = RunDigest(
      file: name, runId: runId, status: status, startedAt: started,
      durationSeconds: lines.double(fields[7]), tasks: tasks, sourceFiltered: kind == "F",
      environment: lines.equals(fields[8], "-") ? nil : lines.string(fields[8]),
      scheduled: !lines.equals(fields[9], "M"),
      rerunOf: lines.equals(fields[12], "-") ? nil : lines.string(fields[12]),
      taskCounts: (Int(tasksTotal), Int(tasksFailed)))
    return (name, stamp, .run(digest))
  }

  /// One line, or nil for a record whose names would break the format
  /// (it is then read from its file every time).
  package static func line(name: String, stamp: StatusIndex.Stamp, entry: StatusIndex.Entry)
    -> String?
  {
    var fields = [name, String(stamp.size), String(stamp.modified)]
    switch entry {
    case .unreadable(let reason):
      fields += ["U", reason]
    case .run(let run):
      fields += [
        run.sourceFiltered ? "F" : "R", run.runId, run.status.rawValue, String(run.startedAt),
        number(run.durationSeconds), run.environment ?? "-", run.scheduled ? "S" : "M",
        String(run.tasksTotal), String(run.tasksFailed), run.rerunOf ?? "-",
      ]
      for task in run.tasks {
        fields += [
          task.name, task.status.rawValue, number(task.durationSeconds),
          task.peakRssBytes.map(String.init) ?? "-", counters(task.metrics), String(task.attempts),
        ]
      }
    }
    // Bytes, not Foundation's `contains`, which costs thousands of instructions a field.
    guard !fields.contains(where: { $0.utf8.contains { $0 == 9 || $0 == 10 } }) else {
      return nil
    }
    return fields.joined(separator: "\t")
  }

  /// Best effort: a read-only metrics directory only costs speed.
  package static func write(_ lines: [String], to path: String) {
    let text = ([StatusIndex.header] + lines).joined(separator: "\n") + "\n"
    try? AtomicFile.write(Data(text.utf8), to: path)
  }

  /// One write of whole lines, so that a reader sees all of them or none
  /// (O_APPEND on a local file system); a torn tail from a crash is
  /// skipped by readers and makes the next call rewrite the file.
  /// Returns whether the lines are in the file.
  @discardableResult
  package static func append(_ lines: [String], to path: String) -> Bool {
    guard !lines.isEmpty else { return true }
    let fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    let text = lines.joined(separator: "\n") + "\n"
    var bytes = Array(text.utf8)
    return Glibc.write(fd, &bytes, bytes.count) == bytes.count
  }

  package static let taskFields = 6
  /// A run's own fields: file, size, modified, kind, run id, status,
  /// started, duration, environment, trigger (S or M), tasks total, tasks
  /// failed, rerun of; its tasks follow.
  package static let runFields = 13

  private static func counters(_ metrics: [String: Double]?) -> String {
    guard let metrics, !metrics.isEmpty else { return "-" }
    return metrics.sorted { $0.key < $1.key }.map { "\(escape($0.key))=\($0.value)" }
      .joined(separator: ",")
  }

  /// Parsed by hand: a pipeline whose tasks all report counters has one
  /// such field per task in every line.
  private static func counters(_ range: Range<Int>, _ lines: LineFields) -> [String: Double]? {
    // Most tasks report no counters: decide that from the bytes.
    guard range.count > 1 || (range.count == 1 && lines.bytes[range.lowerBound] != 45) else {
      return nil
    }
    let text = lines.string(range)
    var counters: [String: Double] = [:]
    for pair in text.split(separator: ",") {
      guard let equals = pair.lastIndex(of: "="),
        let value = Double(pair[pair.index(after: equals)...])
      else { return nil }
      let name = pair[..<equals]
      counters[
        name.utf8.contains(UInt8(ascii: "%"))
          ? percentDecoded(name) : String(name)] =
        value
    }
    return counters
  }

  /// `%XX` escapes back to their bytes (the inverse of `escape`).
  private static func percentDecoded(_ name: Substring) -> String {
    var bytes: [UInt8] = []
    var rest = name.utf8[...]
    while let byte = rest.first {
      if byte == UInt8(ascii: "%"), rest.count >= 3,
        let value = UInt8(String(decoding: rest.dropFirst().prefix(2), as: UTF8.self), radix: 16)
      {
        bytes.append(value)
        rest = rest.dropFirst(3)
      } else {
        bytes.append(byte)
        rest = rest.dropFirst()
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  private static func escape(_ name: String) -> String {
    var escaped = ""
    for character in name {
      switch character {
      case "%": escaped += "%25"
      case "=": escaped += "%3D"
      case ",": escaped += "%2C"
      case "\t": escaped += "%09"
      case "\n": escaped += "%0A"
      case "\r": escaped += "%0D"
      default: escaped.append(character)
      }
    }
    return escaped
  }

  private static func number(_ value: Double?) -> String {
    value.map { String($0) } ?? "-"
  }
}

/// Tab-separated fields of newline-terminated lines in a byte buffer, as
/// ranges; a last line without its newline is incomplete and skipped.
package struct LineFields {
  package let bytes: UnsafeRawBufferPointer
  /// Where the next line starts.
  private(set) var position: Int
  private var fields: [Range<Int>] = []

  package init(_ bytes: UnsafeRawBufferPointer, from position: Int = 0) {
    self.bytes = bytes
    self.position = position
  }

  /// Whether the last line returned came with all its fields.
  private(set) var isWhole = true

  /// The next line's fields. Past `limit` fields, `whole` sees those read so
  /// far: unless it asks for the rest, the line is skipped with `memchr`
  /// rather than split.
  package mutating func next(
    limit: Int = .max, whole: ([Range<Int>]) -> Bool = { _ in false }
  ) -> [Range<Int>]? {
    fields.removeAll(keepingCapacity: true)
    isWhole = true
    var start = position
    var limit = limit
    for index in position..<bytes.count {
      switch bytes[index] {
      case UInt8(ascii: "\t"):
        fields.append(start..<index)
        start = index + 1
        if fields.count == limit {
          guard whole(fields) else {
            isWhole = false
            return skipRestOfLine(from: start)
          }
          limit = .max
        }
      case UInt8(ascii: "\n"):
        fields.append(start..<index)
        position = index + 1
        return fields
      default: continue
      }
    }
    return nil
  }

  private mutating func skipRestOfLine(from start: Int) -> [Range<Int>]? {
    guard start < bytes.count,
      let newline = memchr(bytes.baseAddress! + start, 0x0A, bytes.count - start)
    else { return nil }
    position = UnsafeRawPointer(newline) - bytes.baseAddress! + 1
    return fields
  }

  package func string(_ range: Range<Int>) -> String {
    String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
  }

  package func equals(_ range: Range<Int>, _ text: String) -> Bool {
    var text = text
    return text.withUTF8 { utf8 in
      utf8.count == range.count
        && memcmp(utf8.baseAddress!, bytes.baseAddress! + range.lowerBound, range.count) == 0
    }
  }

  /// A decimal integer; nil for `-` or anything else.
  package func integer(_ range: Range<Int>) -> Int64? {
    guard !range.isEmpty else { return nil }
    var value: Int64 = 0
    var negative = false
    for index in range {
      let byte = bytes[index]
      if byte == UInt8(ascii: "-") && index == range.lowerBound && range.count > 1 {
        negative = true
        continue
      }
      guard byte >= 48 && byte <= 57 else { return nil }
      let (product, overflow) = value.multipliedReportingOverflow(by: 10)
      let (sum, carry) = product.addingReportingOverflow(Int64(byte - 48))
      guard !overflow, !carry else { return nil }
      value = sum
    }
    return negative ? -value : value
  }

  /// The value whose spelling the field holds, compared as bytes.
  package func oneOf<T>(_ range: Range<Int>, _ spellings: [(utf8: [UInt8], value: T)]) -> T? {
    spellings.first { spelling in
      spelling.utf8.count == range.count
        && memcmp(spelling.utf8, bytes.baseAddress! + range.lowerBound, range.count) == 0
    }?.value
  }

  /// A number as Swift prints a Double; nil for `-`. Exact: short decimals
  /// (most durations) are converted by one correctly rounded operation, the
  /// rest by strtod, which the tab or newline after the field stops.
  package func double(_ range: Range<Int>) -> Double? {
    guard !range.isEmpty, !(range.count == 1 && bytes[range.lowerBound] == UInt8(ascii: "-"))
    else { return nil }
    if let value = ShortDecimal.parse(UnsafeRawBufferPointer(rebasing: bytes[range])) {
      return value
    }
    let start = (bytes.baseAddress! + range.lowerBound).assumingMemoryBound(to: CChar.self)
    var end: UnsafeMutablePointer<CChar>?
    let value = strtod(start, &end)
    guard let end, UnsafeRawPointer(end) == UnsafeRawPointer(bytes.baseAddress! + range.upperBound)
    else { return nil }
    return value
  }
}

/// Status spellings as bytes, for comparing fields without making strings.
package enum Spelling {
  /// Labelled as `oneOf` takes them: an unlabelled array would be converted
  /// on every call.
  package static let runStatuses: [(utf8: [UInt8], value: RunStatus)] = RunStatus.allCases.map {
    (Array($0.rawValue.utf8), $0)
  }
  package static let taskStatuses: [(utf8: [UInt8], value: TaskStatus)] = TaskStatus.allCases.map {
    (Array($0.rawValue.utf8), $0)
  }
}

/// Decimal text to Double without strtod when the exact answer is one
/// operation away: a significand below 2^53 and a power of ten up to 10^22
/// are both exact doubles, so a single multiplication or division rounds
/// correctly (Clinger's fast path). Anything else returns nil.
package enum ShortDecimal {
  private static let powers: [Double] = (0...22).map { exponent in
    var value = 1.0
    for _ in 0..<exponent { value *= 10 }
    return value
  }

  package static func parse(_ text: UnsafeRawBufferPointer) -> Double? {
    var index = 0
    let negative = text.first == UInt8(ascii: "-")
    if negative { index += 1 }
    var significand: UInt64 = 0
    var digits = 0
    var scale = 0
    var sawPoint = false
    var sawDigit = false
    while index < text.count {
      let byte = text[index]
      if byte == UInt8(ascii: ".") {
        guard !sawPoint else { return nil }
        sawPoint = true
      } else if byte >= 48 && byte <= 57 {
        sawDigit = true
        if significand == 0 && byte == 48 {
          if sawPoint { scale -= 1 }
        } else {
          digits += 1
          guard digits <= 18 else { return nil }
          significand = significand * 10 + UInt64(byte - 48)
          if sawPoint { scale -= 1 }
        }
      } else {
        break
      }
      index += 1
    }
    guard sawDigit else { return nil }
    if index < text.count {
      guard text[index] == UInt8(ascii: "e") || text[index] == UInt8(ascii: "E") else {
        return nil
      }
      index += 1
      var exponentNegative = false
      if index < text.count, text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+") {
        exponentNegative = text[index] == UInt8(ascii: "-")
        index += 1
      }
      var exponent = 0
      guard index < text.count else { return nil }
      while index < text.count {
        let byte = text[index]
        guard byte >= 48 && byte <= 57, exponent < 1000 else { return nil }
        exponent = exponent * 10 + Int(byte - 48)
        index += 1
      }
      scale += exponentNegative ? -exponent : exponent
    }
    guard significand < 1 << 53 else { return nil }
    let value: Double
    if significand == 0 {
      value = 0
    } else if scale < 0 {
      guard -scale <= 22 else { return nil }
      value = Double(significand) / powers[-scale]
    } else {
      guard scale <= 22 else { return nil }
      value = Double(significand) * powers[scale]
    }
    return negative ? -value : value
  }
}
