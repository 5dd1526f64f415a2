import Dispatch
import FoundationEssentials
import Glibc

/// A cache of run digests beside a pipeline's records
/// (`metrics/<pipeline>/.status-index`), so that status over years of
/// history reads one file instead of thousands. The records stay the truth:
/// a file whose size or modification time changed, a new file and a vanished
/// file are all noticed on the next read, and the index is brought up to date.
public enum StatusIndex {
  public static let fileName = ".status-index"
  /// Raised whenever a line's fields change: an index of another version
  /// is rebuilt from the records, never read (see `IndexFile`).
  package static let header = "orchestrate-status-index 7"

  /// A file in the metrics directory that is not a readable run record.
  public struct Unreadable: Sendable, Equatable, Codable {
    /// As the caller names it: here, the file's name in the directory.
    public var path: String
    public var reason: String

    package init(path: String, reason: String) {
      self.path = path
      self.reason = reason
    }
  }

  public struct Contents: Sendable {
    /// Oldest first.
    public var runs: [RunDigest]
    public var unreadable: [Unreadable]
    /// The index as it was read: where task digests left out can be decoded later.
    package var index = Data()
  }

  /// Where a file stood when it was digested.
  package struct Stamp: Equatable {
    package var size: Int64
    package var modified: Int64
  }

  package enum Entry {
    case run(RunDigest)
    case unreadable(String)
  }

  /// Every run record in `directory`, from the index where it is current and
  /// from the files where it is not; the index is brought up to date.
  /// `tasks` says whose task digests the caller needs; runs read from their
  /// own files always have them.
  /// About 200 runs' lines.
  package static let smallIndexBytes = 64 << 10

  package static func load(
    directory: String, now: Date = Date(), tasks selection: IndexFile.TaskSelection = .all
  ) -> Contents {
    let indexPath = "\(directory)/\(fileName)"
    // Reading the index and listing the directory are independent: overlap
    // them, unless the index is small enough that starting a thread costs
    // more than reading it (`status --check` on a young root).
    let cache = CachedEntries()
    let listed: [(String, Stamp)]
    var info = stat()
    if stat(indexPath, &info) != 0 || info.st_size < Self.smallIndexBytes {
      cache.snapshot = IndexFile.read(indexPath, tasks: selection)
      listed = listRecords(directory)
    } else {
      let reading = DispatchGroup()
      DispatchQueue.global().async(group: reading) {
        cache.snapshot = IndexFile.read(indexPath, tasks: selection)
      }
      listed = listRecords(directory)
      reading.wait()
    }
    let cached = cache.snapshot.entries

    var runs: [RunDigest] = []
    var unreadable: [Unreadable] = []
    func add(_ name: String, _ entry: Entry) {
      switch entry {
      case .run(let digest): runs.append(digest)
      case .unreadable(let reason):
        unreadable.append(Unreadable(path: name, reason: reason))
      }
    }
    runs.reserveCapacity(listed.count)
    var stale: [(name: String, stamp: Stamp)] = []
    var known = 0
    for (name, stamp) in listed {
      guard let hit = cached[name] else {
        stale.append((name, stamp))
        continue
      }
      known += 1
      if hit.stamp == stamp { add(name, hit.entry) } else { stale.append((name, stamp)) }
    }
    let parsed = parse(directory: directory, names: stale.map(\.name))
    for (item, entry) in zip(stale, parsed) { add(item.name, entry) }
    update(
      indexPath, snapshot: cache.snapshot, listed: listed, vanished: cached.count - known,
      fresh: zip(stale, parsed).map { ($0.name, $0.stamp, $1) }, now: now)
    runs.sort(by: startOrder)
    // By name, not in the directory's order: the same files read the same.
    unreadable.sort { $0.path < $1.path }
    return Contents(runs: runs, unreadable: unreadable, index: cache.snapshot.data)
  }

  /// Runs oldest first; runs started in the same instant by id.
  package static func startOrder(_ first: RunDigest, _ second: RunDigest) -> Bool {
    (first.startedAt, first.runId) < (second.startedAt, second.runId)
  }

  /// Indexes a run's final record just after it was written, so that the
  /// next run start and status call need not decode it. Best effort: a
  /// missing line only means the record is read from its file once more.
  /// Returns the digest as the line holds it, nil when none was written.
  @discardableResult
  package static func add(finalRecord record: RunRecord, at path: String) -> RunDigest? {
    var info = stat()
    guard record.status != .running, stat(path, &info) == 0 else { return nil }
    let name = PathName.last(path)
    var digest = RunDigest(record, file: name)
    // As the file has it: to the millisecond.
    digest.startedAt =
      Timestamp.parse(Timestamp.format(record.startedAt))?.timeIntervalSince1970
      ?? digest.startedAt
    // As a read of the line gives it back: no counters are no counters.
    for index in digest.tasks.indices where digest.tasks[index].metrics?.isEmpty == true {
      digest.tasks[index].metrics = nil
    }
    guard let line = IndexFile.line(name: name, stamp: Stamp(info), entry: .run(digest)),
      IndexFile.append([line], to: "\(PathName.parent(path))/\(fileName)")
    else { return nil }
    return digest
  }

  private final class CachedEntries: @unchecked Sendable {
    var snapshot = IndexFile.Snapshot()
  }

  /// Appends what was read afresh, the common case (a run adds one record);
  /// rewrites the whole index when files vanished, when superseded lines
  /// pile up, or when it is missing or damaged.
  private static func update(
    _ path: String, snapshot: IndexFile.Snapshot, listed: [(String, Stamp)], vanished: Int,
    fresh: [(String, Stamp, Entry)], now: Date
  ) {
    // A record still being rewritten could change again within the clock's
    // resolution and keep its stamp: index it once it is final (a finished
    // run's record is never rewritten) or has been left alone a while.
    let settled = Int64((now.timeIntervalSince1970 - 2) * 1e9)
    func indexable(_ stamp: Stamp, _ entry: Entry) -> Bool {
      if case .run(let digest) = entry, digest.status != .running { return true }
      return stamp.modified < settled
    }
    let superseded = snapshot.lines - snapshot.entries.count
    if !snapshot.isIntact || vanished > 0 || superseded > snapshot.entries.count / 2 + 64 {
      let freshEntries = Dictionary(fresh.map { ($0.0, $0.2) }, uniquingKeysWith: { $1 })
      let lines = listed.compactMap { name, stamp -> String? in
        // Current lines are copied as they are: their task digests may not
        // have been decoded.
        guard let entry = freshEntries[name] else {
          return snapshot.line(of: snapshot.entries[name]!)
        }
        return indexable(stamp, entry)
          ? IndexFile.line(name: name, stamp: stamp, entry: entry) : nil
      }
      IndexFile.write(lines, to: path)
    } else {
      let lines = fresh.compactMap { name, stamp, entry in
        indexable(stamp, entry) ? IndexFile.line(name: name, stamp: stamp, entry: entry) : nil
      }
      IndexFile.append(lines, to: path)
    }
  }

  /// `*.json` files with their stamps, read with plain system calls: this is
  /// the one step a warm status call cannot skip.
  package static func listRecords(_ directory: String) -> [(String, Stamp)] {
    FileSystem.entries(
      of: directory, named: { $0.hasSuffix(".json") },
      { name, info in info.st_mode & S_IFMT == S_IFREG ? (name, Stamp(info)) : nil })
  }

  /// Decodes records on every core: a cold index over years of runs means
  /// thousands of files.
  package static func parse(directory: String, names: [String]) -> [Entry] {
    if names.count < 2 { return names.map { entry(directory: directory, name: $0) } }
    let results = ParseResults(count: names.count)
    DispatchQueue.concurrentPerform(iterations: names.count) { index in
      results.set(index, entry(directory: directory, name: names[index]))
    }
    return results.values
  }

  package static func entry(directory: String, name: String) -> Entry {
    let data: Data
    switch RecordCoding.readBounded("\(directory)/\(name)") {
    case .contents(let contents): data = contents
    case .unreadable(let reason): return .unreadable(reason)
    }
    do {
      return .run(try RunDigest.decode(data, file: name))
    } catch let misnamed as RecordCoding.MisnamedRecord {
      return .unreadable(misnamed.description)
    } catch {
      return .unreadable(data.isEmpty ? "empty file" : "not a run record")
    }
  }

  private final class ParseResults: @unchecked Sendable {
    private let lock = Lock()
    private(set) var values: [Entry]

    init(count: Int) {
      values = Array(repeating: .unreadable(""), count: count)
    }

    func set(_ index: Int, _ entry: Entry) {
      lock.lock()
      values[index] = entry
      lock.unlock()
    }
  }
}

extension StatusIndex.Stamp {
  /// Size and modification time to the nanosecond, as `stat` gives them.
  package init(_ info: stat) {
    self.init(
      size: Int64(info.st_size),
      modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
  }
}
