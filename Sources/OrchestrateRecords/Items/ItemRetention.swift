import FoundationEssentials
import Glibc

/// `items: {keep_events: 90d}`: the segments (events and index) of runs
/// older than the limit go with rotation; the snapshot, which holds every
/// item's latest state, stays whole. A segment goes only once the snapshot
/// covers every byte of it, so no event is lost from the counts.
extension ItemLedger {
  package struct ExpiredSegment: Sendable, Equatable {
    package var run: String
    /// Its events and its index together.
    package var bytes: Int64
  }

  /// Segments of runs that started before `now - keepEvents`, but the
  /// current run's. The caller holds the pipeline's lock.
  package func expiredSegments(keepEvents: Duration, now: Date, currentRun: String?)
    -> [ExpiredSegment]
  {
    let limit = now.addingTimeInterval(-keepEvents.seconds)
    return segments().compactMap { segment in
      guard segment.run != currentRun, let id = RunID(segment.run), id.startedAt < limit
      else { return nil }
      let events = "\(segmentsDirectory)/\(segment.name)"
      let index = "\(segmentsDirectory)/\(segment.run)\(ItemSegment.indexSuffix)"
      return ExpiredSegment(
        run: segment.run, bytes: FileSystem.treeSize(events) + FileSystem.treeSize(index))
    }
  }

  /// Deletes the segments, after folding whatever of them the snapshot does
  /// not hold yet into it. Returns the runs whose segment could not go, with why.
  package func remove(_ expired: [ExpiredSegment]) -> [(run: String, problem: String)] {
    guard !expired.isEmpty else { return [] }
    let covered: [String: Int64]
    do {
      covered = try compact().covered
    } catch {
      return expired.map { ($0.run, "not folded into the snapshot, kept: \(error)") }
    }
    var problems: [(run: String, problem: String)] = []
    for segment in expired {
      let name = ItemSegment.name(run: segment.run)
      let events = "\(segmentsDirectory)/\(name)"
      let read = ItemSegment.read(path: events, run: segment.run, from: covered[name] ?? 0)
      guard read.events.isEmpty else {
        problems.append((segment.run, "events not in the snapshot yet, kept"))
        continue
      }
      // The index first: a segment without one is indexed again, an index
      // without its segment would point at nothing.
      let index = "\(segmentsDirectory)/\(segment.run)\(ItemSegment.indexSuffix)"
      if unlink(index) != 0 && errno != ENOENT || unlink(events) != 0 && errno != ENOENT {
        problems.append((segment.run, "cannot remove: \(String(cString: strerror(errno)))"))
      }
    }
    _ = FileSystem.syncDirectory(segmentsDirectory)
    return problems
  }

  /// Runs whose events the snapshot holds but whose segment rotation has
  /// deleted: an item's history no longer shows what they reported.
  package func removedRuns(covered: [String: Int64]) -> [String] {
    let present = Set(segments().map(\.name))
    return covered.keys.filter { !present.contains($0) }.compactMap(ItemSegment.run(ofFile:))
      .sorted()
  }
}
