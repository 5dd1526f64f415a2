import Foundation
import OrchestrateKit

/// Where the files behind an answer stood: the metrics directory and each
/// pipeline's folder in it (a run writes its record under a new name, by
/// rename, so a folder's modification time moves with every record
/// written), the schedule's installation note, and the pipeline files. A
/// few `stat` calls per request, against a status of the whole history:
/// equal stamps mean the answer computed for one stands for the other.
///
/// A record edited in place, under the same name, leaves its folder as it
/// was: such an edit (never orchestrate's own) shows once the answer's age
/// runs out (`AnswerCache.freshness`).
struct DataStamp: Equatable, Sendable {
  /// The pipelines whose folders are looked at.
  enum Scope: Hashable, Sendable {
    /// Every pipeline: the overview, the status, a run found under any of them.
    case root
    /// One pipeline's folder: its page, its list of runs.
    case pipeline(String)
    /// Nothing: an answer that never changes (the OpenAPI document).
    case constant
  }

  private var values: [Int64] = []
  /// The status indexes of the pipelines looked at: a run's end appends
  /// its line to its pipeline's, where a run in progress only renames its
  /// record. An answer showing a run in progress stands while these stay.
  private(set) var indexes: [Int64] = []
  /// The latest modification among the files looked at, in nanoseconds
  /// since the epoch.
  private(set) var newest: Int64 = 0

  /// A change this close to the moment an answer is computed may share its
  /// modification time with a later one (file systems keep time in clock
  /// ticks): such a stamp is not trusted to stand for the data.
  static let settledAfterNanoseconds: Int64 = 100_000_000

  static func of(_ layout: RootLayout, scope: Scope) -> DataStamp {
    var stamp = DataStamp()
    if scope == .constant { return stamp }
    let metrics = layout.metricsDirectory
    stamp.add(path: metrics)
    stamp.add(path: "\(metrics)/.schedule-installed")
    switch scope {
    case .root:
      for name in stamp.addEntries(of: metrics, directoriesOnly: true) {
        stamp.addIndex(of: "\(metrics)/\(name)")
      }
    case .pipeline(let name):
      if RootEntryName.isSafe(name) {
        stamp.add(path: layout.metricsDirectory(pipeline: name))
        stamp.addIndex(of: layout.metricsDirectory(pipeline: name))
        stamp.addItems(of: ItemLedger(layout: layout, pipeline: name).directory)
      }
    case .constant: break
    }
    let pipelines = "\(layout.root)/pipelines"
    stamp.add(path: pipelines)
    stamp.addEntries(of: pipelines, directoriesOnly: false)
    return stamp
  }

  /// Whether the newest change is far enough in the past, at `now`
  /// (nanoseconds since the epoch), for a later change to move the stamp.
  func isSettled(at now: Int64) -> Bool {
    now - newest >= Self.settledAfterNanoseconds
  }

  private mutating func add(path: String) {
    var info = stat()
    if stat(path, &info) == 0 { add(info) } else { values.append(-1) }
  }

  private mutating func add(_ info: stat) {
    let modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
    let changed = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
    values += [Int64(bitPattern: UInt64(info.st_ino)), Int64(info.st_size), modified, changed]
    newest = max(newest, modified, changed)
  }

  private mutating func addIndex(of directory: String) {
    var info = stat()
    guard stat("\(directory)/\(StatusIndex.fileName)", &info) == 0 else {
      indexes.append(-1)
      return
    }
    let modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
    indexes += [Int64(bitPattern: UInt64(info.st_ino)), Int64(info.st_size), modified]
  }

  /// The item ledger its page shows: the snapshot and its recent layer
  /// (replaced by rename at each run's end), the segments' folder (a new
  /// run's segment) and the newest segment, the only one that grows while
  /// a run commits its attempts' events.
  private mutating func addItems(of directory: String) {
    add(path: "\(directory)/snapshot")
    add(path: "\(directory)/snapshot.recent")
    let segments = "\(directory)/segments"
    add(path: segments)
    let newest = FileSystem.entries(of: segments) { name, _ in
      name.hasSuffix(".events") ? name : nil
    }.max()
    if let newest { add(path: "\(segments)/\(newest)") } else { values.append(-1) }
  }

  /// The visible entries of `directory`, by name, with their stat; returns their names.
  @discardableResult
  private mutating func addEntries(of directory: String, directoriesOnly: Bool) -> [String] {
    var found = FileSystem.entries(of: directory) { name, info in
      !directoriesOnly || info.st_mode & S_IFMT == S_IFDIR ? (name, info) : nil
    }
    // The directory's own order may differ between two listings.
    found.sort { $0.0 < $1.0 }
    values.append(Int64(found.count))
    for (_, info) in found { add(info) }
    return found.map(\.0)
  }
}
