import FoundationEssentials
import Glibc

/// A pipeline's status index as the run holding the pipeline's lock loaded
/// it at its start, brought to the run's end without listing and statting
/// every record again (over years of runs that is most of a load). Under
/// the lock a pipeline's records change only through the run itself and
/// the settling of runs whose orchestrator died, which said `running` when
/// loaded: those are read from their files again, the rest is as loaded.
package final class HeldIndex: @unchecked Sendable {
  package let directory: String
  /// Loaded after the lock was taken, before the run's own record existed;
  /// handed over, not copied, at the end.
  private var start: StatusIndex.Contents?
  /// The run's final record file's name.
  package let own: String
  /// Its digest as its index line holds it; nil when no line was written
  /// (then it is read from the file, as a load would).
  package let indexed: RunDigest?

  package init(
    directory: String, start: consuming StatusIndex.Contents, own: String, indexed: RunDigest?
  ) {
    self.directory = directory
    self.start = start
    self.own = own
    self.indexed = indexed
  }

  /// What a load at the end of the run would give; asked once.
  package func atEnd() -> StatusIndex.Contents {
    guard var contents = start.take() else { preconditionFailure("asked twice") }
    var reread: [String] = []
    // Checked before removing: a removal writes, and a write copies what is shared.
    if contents.runs.contains(where: { $0.status == .running }) {
      contents.runs.removeAll { run in
        guard run.status == .running else { return false }
        reread.append(run.file)
        return true
      }
    }
    var added = indexed.map { [$0] } ?? []
    if indexed == nil { reread.append(own) }
    for name in reread {
      var info = stat()
      guard stat("\(directory)/\(name)", &info) == 0 else { continue }
      switch StatusIndex.entry(directory: directory, name: name) {
      case .run(let digest): added.append(digest)
      case .unreadable(let reason):
        contents.unreadable.append(.init(path: name, reason: reason))
        contents.unreadable.sort { $0.path < $1.path }
      }
    }
    // Into their places, as a load's sort puts them: the run's own record
    // is nearly always the newest, and years of runs need no sort again.
    for digest in added {
      var low = 0
      var high = contents.runs.count
      while low < high {
        let middle = (low + high) / 2
        if StatusIndex.startOrder(digest, contents.runs[middle]) {
          high = middle
        } else {
          low = middle + 1
        }
      }
      contents.runs.insert(digest, at: low)
    }
    return contents
  }
}
