import FoundationEssentials

/// What `rotate --dry-run` prints for a pipeline: every step it would
/// take, oldest run first, what it leaves alone, and what it would free.
extension RotationReport {
  public var planLines: [String] {
    let ordered = steps.enumerated().sorted {
      ($0.element.startedAt ?? .distantPast, $0.offset)
        < ($1.element.startedAt ?? .distantPast, $1.offset)
    }
    var lines = ordered.map { Self.describe($0.element, dryRun: true) }
    if let skipped { lines.append("skipped: \(skipped)") }
    if let failure { lines.append("error: \(failure)") }
    if !foreign.isEmpty {
      lines.append("left alone, not written by orchestrate: " + foreign.joined(separator: ", "))
    }
    if let totals { lines.append(totals) }
    return lines
  }

  /// `total: compress 2 run(s) (1.2 GiB); delete 3 run(s) (88.1 MiB) and
  /// 4 record(s) (16.0 KiB), freeing 88.1 MiB`; nil when nothing is due.
  public var totals: String? {
    var compressed = (count: 0, bytes: Int64(0))
    var deleted = (count: 0, bytes: Int64(0))
    var records = (count: 0, bytes: Int64(0))
    var itemEvents = (count: 0, bytes: Int64(0))
    for step in steps {
      switch step.outcome {
      case .compressed(_, let before, _):
        compressed = (compressed.count + 1, compressed.bytes + before)
      case .deleted(_, let bytes): deleted = (deleted.count + 1, deleted.bytes + bytes)
      case .recordDeleted(let bytes): records = (records.count + 1, records.bytes + bytes)
      case .itemEventsDeleted(let bytes):
        itemEvents = (itemEvents.count + 1, itemEvents.bytes + bytes)
      default: continue
      }
    }
    var parts: [String] = []
    if compressed.count > 0 {
      parts.append("compress \(compressed.count) run(s) (\(ByteCount.format(compressed.bytes)))")
    }
    var deletions: [String] = []
    if deleted.count > 0 {
      deletions.append("\(deleted.count) run(s) (\(ByteCount.format(deleted.bytes)))")
    }
    if records.count > 0 {
      deletions.append("\(records.count) record(s) (\(ByteCount.format(records.bytes)))")
    }
    if itemEvents.count > 0 {
      deletions.append(
        "the item events of \(itemEvents.count) run(s) (\(ByteCount.format(itemEvents.bytes)))")
    }
    if !deletions.isEmpty {
      parts.append(
        "delete \(deletions.joined(separator: " and ")), freeing "
          + ByteCount.format(deleted.bytes + records.bytes + itemEvents.bytes))
    }
    return parts.isEmpty ? nil : "total: " + parts.joined(separator: "; ")
  }
}
