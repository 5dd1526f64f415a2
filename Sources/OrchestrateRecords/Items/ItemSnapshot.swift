import FoundationEssentials
import Glibc

/// `items/snapshot`: each item's latest state in each stage, as of the
/// segments' bytes it says it covers. Lines sorted by item id (bytewise, as
/// escaped) and stage come first, one per item and stage:
///
///     <item> <stage> <status> <at ms> <run> <task> <attempt> <error>
///
/// then the summary (`#summary`, the counts the views and status read),
/// then a fixed-size trailer giving the summary's offset. So a summary is
/// read without touching the items, one item is found by binary search,
/// and the whole file is replaced by a rename: a reader or a kill -9 sees
/// the old file or the new one, never half of one.
package final class ItemSnapshot: @unchecked Sendable {
  package static let fileName = "snapshot"
  static let trailerLength = 30
  static let trailerPrefix = "#trailer\t"

  let fd: Int32
  /// Where the summary starts: the items are the bytes before.
  let itemsEnd: Int64
  package let summary: ItemSummary

  private init(fd: Int32, itemsEnd: Int64, summary: ItemSummary) {
    self.fd = fd
    self.itemsEnd = itemsEnd
    self.summary = summary
  }

  deinit { close(fd) }

  package struct Unreadable: Error, CustomStringConvertible {
    package var path: String
    package var reason: String
    package var description: String { "cannot read \(path): \(reason)" }
  }

  /// nil when there is no snapshot yet.
  package static func open(_ path: String) throws(Unreadable) -> ItemSnapshot? {
    let fd = Glibc.open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else {
      if errno == ENOENT { return nil }
      throw Unreadable(path: path, reason: String(cString: strerror(errno)))
    }
    var info = stat()
    guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG,
      Int64(info.st_size) >= Int64(trailerLength)
    else {
      close(fd)
      throw Unreadable(path: path, reason: "not a snapshot")
    }
    let size = Int64(info.st_size)
    let trailer = String(
      decoding: ItemFile.read(fd, from: size - Int64(trailerLength), count: trailerLength),
      as: UTF8.self)
    guard trailer.hasPrefix(trailerPrefix),
      let offset = Int64(trailer.dropFirst(trailerPrefix.count).dropLast()),
      (0...size).contains(offset)
    else {
      close(fd)
      throw Unreadable(path: path, reason: "its trailer is missing")
    }
    let text = String(
      decoding: ItemFile.read(
        fd, from: offset, count: Int(size - Int64(trailerLength) - offset)), as: UTF8.self)
    guard let summary = parseSummary(text) else {
      close(fd)
      throw Unreadable(path: path, reason: "its summary is unreadable")
    }
    return ItemSnapshot(fd: fd, itemsEnd: offset, summary: summary)
  }

  /// The item's states, by stage.
  package func states(of item: String) -> [ItemStageState] {
    let key = Array(ItemText.escape(item).utf8)
    return SortedLines(fd: fd, end: itemsEnd).lines(withKey: key).compactMap {
      Self.state(Substring(decoding: $0.line, as: UTF8.self))?.state
    }
  }

  /// Every item with its states, in the file's order, read in large chunks.
  package func forEachItem(_ body: (String, [ItemStageState]) -> Void) {
    var offset: Int64 = 0
    var carry: [UInt8] = []
    var current: String?
    var states: [ItemStageState] = []
    while offset < itemsEnd {
      let chunk = ItemFile.read(fd, from: offset, count: Int(min(4 << 20, itemsEnd - offset)))
      guard !chunk.isEmpty else { break }
      offset += Int64(chunk.count)
      carry += chunk
      guard let last = carry.lastIndex(of: UInt8(ascii: "\n")) else { continue }
      let text = String(decoding: carry[...last], as: UTF8.self)
      carry.removeSubrange(...last)
      for line in text.split(separator: "\n") {
        guard let (item, state) = Self.state(line) else { continue }
        if item != current {
          if let current { body(current, states) }
          current = item
          states.removeAll(keepingCapacity: true)
        }
        states.append(state)
      }
    }
    if let current { body(current, states) }
  }

  /// Every item line as bytes, newline included, with its first field
  /// (the escaped id): compaction copies them without parsing them.
  func forEachLine(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Void) {
    var offset: Int64 = 0
    var carry: [UInt8] = []
    while offset < itemsEnd {
      let chunk = ItemFile.read(fd, from: offset, count: Int(min(4 << 20, itemsEnd - offset)))
      guard !chunk.isEmpty else { break }
      offset += Int64(chunk.count)
      carry += chunk
      let consumed: Int = carry.withUnsafeBufferPointer { bytes in
        var start = 0
        var index = 0
        var tab = -1
        while index < bytes.count {
          let byte = bytes[index]
          if byte == UInt8(ascii: "\t"), tab < 0 {
            tab = index
          } else if byte == UInt8(ascii: "\n") {
            let keyEnd = tab < 0 ? index : tab
            body(
              UnsafeBufferPointer(rebasing: bytes[start..<keyEnd]),
              UnsafeBufferPointer(rebasing: bytes[start...index]))
            start = index + 1
            tab = -1
          }
          index += 1
        }
        return start
      }
      carry.removeSubrange(..<consumed)
    }
  }

  static func state(_ line: Substring) -> (item: String, state: ItemStageState)? {
    let fields = ItemText.fields(line)
    guard fields.count == 8, let status = ItemStatus(rawValue: String(fields[2])),
      let at = Int64(fields[3]), let attempt = Int(fields[6])
    else { return nil }
    return (
      ItemText.unescape(fields[0]),
      ItemStageState(
        stage: String(fields[1]), status: status, at: at, run: String(fields[4]),
        task: ItemText.unescape(fields[5]), attempt: attempt, error: ItemText.optional(fields[7]))
    )
  }

  static func line(item: String, _ state: ItemStageState) -> String {
    var text = ItemText.escape(item)
    text += "\t"
    text += state.stage
    text += "\t"
    text += state.status.rawValue
    text += "\t\(state.at)\t"
    text += state.run
    text += "\t"
    text += ItemText.escape(state.task)
    text += "\t\(state.attempt)\t"
    text += state.error.map(ItemText.escape) ?? ""
    text += "\n"
    return text
  }

  static func summaryText(_ summary: ItemSummary) -> String {
    var text = "#summary\nitems\t\(summary.items)\ngeneration\t\(summary.generation)\n"
    for stage in summary.counts.keys.sorted() {
      for (status, count) in summary.counts[stage]!.sorted(by: { $0.key < $1.key }) {
        text += "count\t\(stage)\t\(status.rawValue)\t\(count)\n"
      }
    }
    for (stage, count) in summary.latestDone.sorted(by: { $0.key < $1.key }) {
      text += "latest\t\(stage)\t\(count)\n"
    }
    for started in summary.started.values.sorted(by: { ($0.at, $0.item) < ($1.at, $1.item) }) {
      text +=
        "started\t\(ItemText.escape(started.item))\t\(started.stage)\t\(started.at)\t"
        + "\(started.run)\t\(ItemText.escape(started.task))\n"
    }
    for failure in summary.failures {
      text +=
        "failure\t\(ItemText.escape(failure.item))\t\(failure.stage)\t\(failure.at)\t"
        + "\(failure.run)\t\(ItemText.escape(failure.task))\t"
        + "\(failure.error.map(ItemText.escape) ?? "")\n"
    }
    if let settings = summary.settings {
      text +=
        "settings\t\(settings.stuckAfter.seconds)\t\(settings.alertStuckOver)\t"
        + "\(settings.maxFailureRate)\t\(settings.stages.joined(separator: ","))\n"
    }
    for (segment, bytes) in summary.covered.sorted(by: { $0.key < $1.key }) {
      text += "covered\t\(segment)\t\(bytes)\n"
    }
    return text
  }

  static func trailer(offset: Int64) -> String {
    let digits = String(offset)
    return trailerPrefix + String(repeating: "0", count: 20 - digits.count) + digits + "\n"
  }

  static func parseSummary(_ text: String) -> ItemSummary? {
    guard text.hasPrefix("#summary\n") else { return nil }
    var summary = ItemSummary()
    for line in text.split(separator: "\n").dropFirst() {
      let fields = ItemText.fields(line)
      switch fields.first {
      case "items":
        guard fields.count == 2, let count = Int(fields[1]) else { return nil }
        summary.items = count
      case "count":
        guard fields.count == 4, let status = ItemStatus(rawValue: String(fields[2])),
          let count = Int(fields[3])
        else { return nil }
        summary.counts[String(fields[1]), default: [:]][status] = count
      case "generation":
        guard fields.count == 2, let generation = Int64(fields[1]) else { return nil }
        summary.generation = generation
      case "latest":
        guard fields.count == 3, let count = Int(fields[2]) else { return nil }
        summary.latestDone[String(fields[1])] = count
      case "started":
        guard fields.count == 6, let at = Int64(fields[3]) else { return nil }
        let item = ItemText.unescape(fields[1])
        summary.started["\(item)\t\(fields[2])"] = ItemSummary.StartedItem(
          item: item, stage: String(fields[2]), at: at, run: String(fields[4]),
          task: ItemText.unescape(fields[5]))
      case "failure":
        guard fields.count == 7, let at = Int64(fields[3]) else { return nil }
        summary.failures.append(
          ItemSummary.ItemFailure(
            item: ItemText.unescape(fields[1]), stage: String(fields[2]), at: at,
            run: String(fields[4]), task: ItemText.unescape(fields[5]),
            error: ItemText.optional(fields[6])))
      case "settings":
        guard fields.count == 5, let stuck = Double(fields[1]), stuck > 0, stuck < 1e10,
          let alert = Int(fields[2]), let rate = Double(fields[3])
        else { return nil }
        var settings = ItemSettings()
        settings.stuckAfter = .milliseconds(Int64(stuck * 1000))
        settings.alertStuckOver = alert
        settings.maxFailureRate = rate
        settings.stages = fields[4].split(separator: ",").map(String.init).filter {
          ItemSettings.stageProblem($0) == nil
        }
        summary.settings = settings
      case "covered":
        guard fields.count == 3, let bytes = Int64(fields[2]) else { return nil }
        summary.covered[String(fields[1])] = bytes
      default: continue
      }
    }
    return summary
  }
}
