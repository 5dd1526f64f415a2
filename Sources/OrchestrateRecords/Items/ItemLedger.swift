import FoundationEssentials
import Glibc

/// A pipeline's item ledger: `metrics/<pipeline>/items/`, holding one
/// append-only segment of events per run (`segments/<run_id>.events`), an
/// index of each finished segment (`segments/<run_id>.index`) and the
/// snapshot of every item's latest state per stage (`snapshot`). Readers
/// take the snapshot and the committed events it does not cover yet; the
/// run that holds the pipeline's lock folds those into a new snapshot when
/// it ends (`compact`).
public struct ItemLedger: Sendable {
  public let directory: String

  public init(layout: RootLayout, pipeline: String) {
    directory = layout.itemsDirectory(pipeline: pipeline)
  }

  var segmentsDirectory: String { directory + "/segments" }
  var snapshotPath: String { "\(directory)/\(ItemSnapshot.fileName)" }

  package func segmentPath(run: String) -> String {
    "\(segmentsDirectory)/\(ItemSegment.name(run: run))"
  }

  /// Whether any task of the pipeline ever reported an item.
  public var exists: Bool {
    var info = stat()
    return lstat(directory, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
  }

  /// Segment files, oldest run first (run ids sort by their start).
  func segments() -> [(name: String, run: String)] {
    FileSystem.entries(of: segmentsDirectory, named: { ItemSegment.run(ofFile: $0) != nil }) {
      name, info in
      info.st_mode & S_IFMT == S_IFREG ? (name, ItemSegment.run(ofFile: name)!) : nil
    }.sorted { $0.name < $1.name }
  }

  var recentPath: String { "\(directory)/\(ItemSnapshot.fileName).recent" }

  /// The ledger as it stands: the snapshot, its recent layer, and every
  /// committed event they do not cover applied.
  package func load() throws(ItemSnapshot.Unreadable) -> ItemLedgerView {
    let snapshot = try ItemSnapshot.open(snapshotPath)
    // The recent layer counts only on the snapshot it was written on: a
    // full snapshot written since (and a kill before the layer was removed)
    // leaves it stale.
    let recent = try ItemSnapshot.open(recentPath).flatMap {
      $0.summary.generation == (snapshot?.summary.generation ?? 0) ? $0 : nil
    }
    var summary = recent?.summary ?? snapshot?.summary ?? ItemSummary()
    var changed: [String: [ItemStageState]] = [:]
    var touched = Set<String>()
    var covered = summary.covered
    var events: [ItemEvent] = []
    for segment in segments() {
      let from = summary.covered[segment.name] ?? 0
      let read = ItemSegment.read(
        path: "\(segmentsDirectory)/\(segment.name)", run: segment.run, from: from)
      covered[segment.name] = read.end
      events += read.events.map(\.event)
    }
    // Many items: their stored states in one pass over the files, rather
    // than a binary search each.
    let distinct = Set(events.lazy.map(\.item))
    let prefetched =
      distinct.count > Self.itemsReadInOnePass
      ? Self.states(of: distinct, in: [snapshot, recent].compactMap { $0 }) : nil
    func stored(_ item: String) -> [ItemStageState] {
      if let prefetched { return prefetched[item] ?? [] }
      if let states = recent?.states(of: item), !states.isEmpty { return states }
      return snapshot?.states(of: item) ?? []
    }
    for event in events {
      var states = changed[event.item] ?? stored(event.item)
      if touched.insert(event.item).inserted { summary.remove(item: event.item, states: states) }
      if let index = states.firstIndex(where: { $0.stage == event.stage }) {
        states[index] = event.state
      } else {
        states.append(event.state)
        states.sort { $0.stage < $1.stage }
      }
      changed[event.item] = states
    }
    for item in touched { summary.add(item: item, states: changed[item]!) }
    summary.covered = covered
    return ItemLedgerView(summary: summary, snapshot: snapshot, recent: recent, changed: changed)
  }

  /// Above this many changed items, their states are read in one pass.
  static let itemsReadInOnePass = 5_000

  /// The states of `items` in `layers` (oldest first: a later layer's
  /// states of an item replace an earlier one's), read by walking each
  /// layer's sorted lines beside the sorted ids.
  static func states(of items: Set<String>, in layers: [ItemSnapshot]) -> [String: [ItemStageState]]
  {
    let keys = items.map { (key: Array(ItemText.escape($0).utf8), item: $0) }
      .sorted { $0.key.lexicographicallyPrecedes($1.key) }
    var found: [String: [ItemStageState]] = [:]
    for layer in layers {
      var fromLayer: [String: [ItemStageState]] = [:]
      var next = 0
      layer.forEachLine { key, line in
        while next < keys.count, keys[next].key.lexicographicallyPrecedes(key) { next += 1 }
        guard next < keys.count, keys[next].key.elementsEqual(key),
          let (_, state) = ItemSnapshot.state(
            Substring(decoding: UnsafeBufferPointer(rebasing: line.dropLast()), as: UTF8.self))
        else { return }
        fromLayer[keys[next].item, default: []].append(state)
      }
      found.merge(fromLayer) { $1 }
    }
    return found
  }

  /// Folds the events the snapshot does not cover into the ledger's files,
  /// and indexes every segment not indexed yet. Items changed since the
  /// full snapshot go to its recent layer while they are few (a tenth of
  /// the snapshot's items): a run that touches 100,000 items of a
  /// million rewrites those, not the million. Only the holder of the
  /// pipeline's lock calls it: no segment grows meanwhile.
  package func compact(settings: ItemSettings? = nil) throws -> ItemSummary {
    let view = try load()
    let settings = settings ?? view.summary.settings
    guard !view.changed.isEmpty || view.snapshot == nil || view.summary.settings != settings
    else { return view.summary }
    // The summary is the one the readers compute: the old snapshot's, with
    // each changed item's old states taken out and its new ones put in.
    var summary = view.summary
    summary.settings = settings
    // What the full snapshot does not hold: its recent layer, then the events since.
    var overlay: [String: [ItemStageState]] = [:]
    view.recent?.forEachItem { item, states in overlay[item] = states }
    overlay.merge(view.changed) { $1 }
    let changed = overlay.map { (key: Array(ItemText.escape($0.key).utf8), item: $0.key) }
      .sorted { $0.key.lexicographicallyPrecedes($1.key) }
    if let base = view.snapshot, changed.count <= max(base.summary.items / 10, 10_000) {
      summary.generation = base.summary.generation
      let writer = try BufferedAtomicWriter(path: recentPath)
      for (_, item) in changed {
        var text = ""
        for state in overlay[item]! { text += ItemSnapshot.line(item: item, state) }
        writer.append(text)
      }
      try finish(writer, summary: summary)
      indexSegments()
      return summary
    }
    summary.generation = (view.snapshot?.summary.generation ?? 0) + 1
    let writer = try BufferedAtomicWriter(path: snapshotPath)
    var next = 0
    func emit(_ index: Int) {
      var text = ""
      for state in overlay[changed[index].item]! {
        text += ItemSnapshot.line(item: changed[index].item, state)
      }
      writer.append(text)
    }
    // The old snapshot's lines are copied as bytes, unparsed, but for
    // those of the changed items, written anew in their place.
    var emitted = false
    view.snapshot?.forEachLine { key, line in
      while next < changed.count, changed[next].key.lexicographicallyPrecedes(key) {
        if !emitted { emit(next) }
        next += 1
        emitted = false
      }
      if next < changed.count, changed[next].key.elementsEqual(key) {
        if !emitted {
          emit(next)
          emitted = true
        }
      } else {
        writer.append(bytes: line)
      }
    }
    while next < changed.count {
      if !emitted { emit(next) }
      next += 1
      emitted = false
    }
    try finish(writer, summary: summary)
    // Stale now (its generation is the old one): removed, or ignored if a kill comes first.
    unlink(recentPath)
    indexSegments()
    return summary
  }

  private func finish(_ writer: BufferedAtomicWriter, summary: ItemSummary) throws {
    let itemsEnd = writer.written
    writer.append(ItemSnapshot.summaryText(summary))
    writer.append(ItemSnapshot.trailer(offset: itemsEnd))
    try writer.commit()
  }

  /// Writes the index of each segment that has none: its item ids sorted,
  /// each with the offset of one of its events.
  func indexSegments() {
    for segment in segments() {
      let indexPath = "\(segmentsDirectory)/\(segment.run)\(ItemSegment.indexSuffix)"
      if access(indexPath, F_OK) == 0 { continue }
      let read = ItemSegment.read(path: "\(segmentsDirectory)/\(segment.name)", run: segment.run)
      var lines = read.events.map { (Array(ItemText.escape($0.event.item).utf8), $0.offset) }
      lines.sort {
        $0.0 == $1.0 ? $0.1 < $1.1 : $0.0.lexicographicallyPrecedes($1.0)
      }
      guard let writer = try? BufferedAtomicWriter(path: indexPath) else { continue }
      for (key, offset) in lines {
        writer.append(String(decoding: key, as: UTF8.self) + "\t\(offset)\n")
      }
      writer.append(ItemSnapshot.trailer(offset: read.end))
      try? writer.commit()
    }
  }

  /// Every committed event of `item`, oldest first, found through the
  /// segments' indexes (a segment not indexed yet is read through).
  public func history(of item: String) -> [ItemEvent] {
    let key = Array(ItemText.escape(item).utf8)
    var events: [ItemEvent] = []
    for segment in segments() {
      let path = "\(segmentsDirectory)/\(segment.name)"
      let indexPath = "\(segmentsDirectory)/\(segment.run)\(ItemSegment.indexSuffix)"
      var from: Int64 = 0
      let index = open(indexPath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
      if index >= 0 {
        defer { close(index) }
        var info = stat()
        let trailerLength = Int64(ItemSnapshot.trailerLength)
        if fstat(index, &info) == 0, Int64(info.st_size) >= trailerLength {
          let end = Int64(info.st_size) - trailerLength
          let trailer = String(
            decoding: ItemFile.read(index, from: end, count: Int(trailerLength)), as: UTF8.self)
          if trailer.hasPrefix(ItemSnapshot.trailerPrefix),
            let indexed = Int64(trailer.dropFirst(ItemSnapshot.trailerPrefix.count).dropLast())
          {
            from = indexed
            let offsets = SortedLines(fd: index, end: end).lines(withKey: key).compactMap {
              Int64(
                String(
                  decoding: $0.line.split(separator: UInt8(ascii: "\t")).last ?? [], as: UTF8.self))
            }
            events += Self.events(at: offsets, path: path, run: segment.run)
          }
        }
      }
      events += ItemSegment.read(path: path, run: segment.run, from: from).events.map(\.event)
        .filter { $0.item == item }
    }
    return events
  }

  private static func events(at offsets: [Int64], path: String, run: String) -> [ItemEvent] {
    guard !offsets.isEmpty else { return [] }
    let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else { return [] }
    defer { close(fd) }
    return offsets.sorted().compactMap { offset in
      let bytes = ItemFile.read(fd, from: offset, count: 16 << 10)
      guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
      return ItemSegment.event(Substring(decoding: bytes[..<newline], as: UTF8.self), run: run)
    }
  }
}

/// The ledger as read: a snapshot and what happened since.
public final class ItemLedgerView: @unchecked Sendable {
  public let summary: ItemSummary
  let snapshot: ItemSnapshot?
  /// Items changed since the full snapshot, as of the last run's end.
  let recent: ItemSnapshot?
  /// Items changed by the events after both, with their states now.
  let changed: [String: [ItemStageState]]

  init(
    summary: ItemSummary, snapshot: ItemSnapshot?, recent: ItemSnapshot?,
    changed: [String: [ItemStageState]]
  ) {
    self.summary = summary
    self.snapshot = snapshot
    self.recent = recent
    self.changed = changed
  }

  /// The item's latest state in each stage.
  public func states(of item: String) -> [ItemStageState] {
    if let states = changed[item] { return states }
    if let states = recent?.states(of: item), !states.isEmpty { return states }
    return snapshot?.states(of: item) ?? []
  }

  /// Every item with its states (those of the snapshot in its order, then
  /// the ones new since).
  public func forEachItem(_ body: (String, [ItemStageState]) -> Void) {
    var overlay: [String: [ItemStageState]] = [:]
    recent?.forEachItem { item, states in overlay[item] = states }
    overlay.merge(changed) { $1 }
    var seen = Set<String>()
    snapshot?.forEachItem { item, states in
      if let now = overlay[item] {
        seen.insert(item)
        body(item, now)
      } else {
        body(item, states)
      }
    }
    for (item, states) in overlay where !seen.contains(item) { body(item, states) }
  }
}

/// A file written in pieces to a temporary name, then fsynced and renamed
/// over `path`: the snapshot may be far larger than memory should hold at once.
final class BufferedAtomicWriter {
  let path: String
  let temporary: String
  private let fd: Int32
  private var buffer: [UInt8] = []
  private(set) var written: Int64 = 0
  private var failed = false

  init(path: String) throws(AtomicFile.WriteError) {
    self.path = path
    temporary = TemporaryFileName.temporary(for: path)
    if let problem = FileSystem.makeDirectories(PathName.parent(path)) {
      throw AtomicFile.WriteError(path: problem.path, reason: problem.reason)
    }
    fd = FileSystem.openNew(temporary, O_WRONLY)
    guard fd >= 0 else {
      throw AtomicFile.WriteError(path: path, reason: "open: \(String(cString: strerror(errno)))")
    }
  }

  deinit {
    if fd >= 0 { close(fd) }
  }

  func append(_ text: String) {
    var text = text
    text.withUTF8 { append(bytes: $0) }
  }

  func append(bytes: UnsafeBufferPointer<UInt8>) {
    buffer.append(contentsOf: bytes)
    written += Int64(bytes.count)
    if buffer.count >= 4 << 20 { flush() }
  }

  private func flush() {
    let ok = buffer.withUnsafeBytes { FileDescriptor.writeAll($0, to: fd) }
    if !ok { failed = true }
    buffer.removeAll(keepingCapacity: true)
  }

  func commit() throws(AtomicFile.WriteError) {
    flush()
    func failure(_ call: String) -> AtomicFile.WriteError {
      AtomicFile.WriteError(path: path, reason: "\(call): \(String(cString: strerror(errno)))")
    }
    if failed || fsync(fd) != 0 {
      let error = failure(failed ? "write" : "fsync")
      unlink(temporary)
      throw error
    }
    guard rename(temporary, path) == 0 else {
      let error = failure("rename")
      unlink(temporary)
      throw error
    }
  }
}
