import FoundationEssentials
import Glibc

/// One task's (or one source's) kept state, in
/// `metrics/<pipeline>/state/<task>[/<source>]/`:
///
/// - `versions/<run_id>/`: each committed version, named by the run that made it;
/// - `current`: a symbolic link to `versions/<run_id>`, replaced by rename;
/// - `changes.log`: every change of `current` (StateLedger);
/// - `.work/`: attempts' private copies and versions being pruned.
///
/// A commit publishes a finished tree by two renames (the copy into
/// `versions/`, then a new link over `current`), each atomic, with the
/// tree and the directories fsynced before: after a crash at any point,
/// `current` names either the old version or the new one, whole. What a
/// crash leaves in `.work/` is removed by `recover()`, which a run calls
/// under its lock before any task starts.
public struct StateStore: Sendable {
  public let directory: String
  /// The pipeline's metrics folder: the store makes the folders below it.
  let base: String
  /// `files.others_may_write`: a folder every user can write is accepted.
  let othersMayWrite: Bool

  public init(
    layout: RootLayout, pipeline: String, task: String, source: String?,
    othersMayWrite: Bool = false
  ) {
    base = layout.metricsDirectory(pipeline: pipeline)
    directory = layout.stateDirectory(pipeline: pipeline, task: task, source: source)
    self.othersMayWrite = othersMayWrite
  }

  var versionsDirectory: String { "\(directory)/versions" }
  var currentLink: String { "\(directory)/current" }
  var workDirectory: String { "\(directory)/.work" }
  public var ledgerFile: String { "\(directory)/\(StateLedger.fileName)" }

  public func versionDirectory(_ version: String) -> String { "\(versionsDirectory)/\(version)" }

  // MARK: Reading

  /// What `current` names: nil when the state has never been committed;
  /// an error when the link is there but is not one of ours or names a
  /// version that is gone, so a task never starts from nothing by mistake.
  public func current() throws(StateError) -> String? {
    var info = stat()
    guard lstat(currentLink, &info) == 0 else {
      if errno == ENOENT { return nil }
      throw .system("cannot read \(currentLink)")
    }
    guard info.st_mode & S_IFMT == S_IFLNK, let target = FileSystem.linkTarget(currentLink),
      target.hasPrefix("versions/"), RunID.isWellFormed(String(target.dropFirst(9)))
    else {
      throw StateError("\(currentLink) is not a link to versions/<run_id>; not touched")
    }
    let version = String(target.dropFirst(9))
    guard Self.isDirectory(versionDirectory(version)) else {
      throw StateError("\(currentLink) names \(target), which is missing")
    }
    return version
  }

  /// The committed versions, oldest first: by their runs' start, then pid
  /// (as numbers: `_9999` before `_10000` within one second).
  public func versions() -> [String] {
    (StateTree.names(in: versionsDirectory) ?? [])
      .compactMap { name in
        RunID(name).flatMap { Self.isDirectory(versionDirectory(name)) ? $0 : nil }
      }
      .sorted().map(\.text)
  }

  /// Whether anything was ever kept here.
  public var exists: Bool { Self.isDirectory(directory) }

  /// Every state kept under `metrics/<pipeline>/state/`, by task then
  /// source: a task's folder holds `versions/` itself, or one folder per
  /// source. Names that could not be a task's or a source's are passed over.
  public static func all(layout: RootLayout, pipeline: String) -> [(
    task: String, source: String?, store: StateStore
  )] {
    let top = layout.stateDirectory(pipeline: pipeline)
    func isStore(_ folder: String) -> Bool { isDirectory("\(folder)/versions") }
    var found: [(task: String, source: String?, store: StateStore)] = []
    for task in (StateTree.names(in: top) ?? []).sorted() where Names.problem(with: task) == nil {
      let folder = "\(top)/\(task)"
      guard isDirectory(folder) else { continue }
      if isStore(folder) {
        found.append(
          (task, nil, StateStore(layout: layout, pipeline: pipeline, task: task, source: nil)))
        continue
      }
      for source in (StateTree.names(in: folder) ?? []).sorted()
      where Names.problem(with: source) == nil && isStore("\(folder)/\(source)") {
        found.append(
          (task, source, StateStore(layout: layout, pipeline: pipeline, task: task, source: source))
        )
      }
    }
    return found
  }

  // MARK: An attempt's copy

  /// A private copy of the current version for one attempt, made afresh
  /// (what an earlier attempt of the same run wrote is thrown away);
  /// returns its path and the version it copies (nil: it starts empty).
  public func prepare(run: String, attempt: Int) throws(StateError) -> (
    path: String, from: String?
  ) {
    try makeFolders()
    let from = try current()
    let work = "\(workDirectory)/\(run).\(attempt)"
    if let problem = FileSystem.removeTree(work) {
      throw StateError("cannot remove \(problem.path): \(problem.reason)")
    }
    guard mkdir(work, FileSystem.directoryMode(in: workDirectory)) == 0 else {
      throw .system("cannot create \(work)")
    }
    if let from {
      do throws(StateError) {
        try StateTree.copy(versionDirectory(from), into: work)
      } catch {
        discard(work)
        throw error
      }
    }
    return (work, from)
  }

  /// Throws an attempt's copy away (it failed, timed out, was cancelled).
  public func discard(_ work: String) {
    _ = FileSystem.removeTree(work)
  }

  /// Makes the attempt's copy the current version `version` (its run id),
  /// records the change, and prunes all but the newest `keep` versions
  /// (never the current one). Returns the version that was current before.
  /// A failure before the switch leaves the old version current.
  @discardableResult
  public func commit(
    _ work: String, as version: String, keep: Int, user: String, at time: Date = Date()
  ) throws(StateError) -> (from: String?, warning: String?) {
    let from = try current()
    guard RunID.isWellFormed(version) else { throw StateError("'\(version)' is not a run id") }
    guard version != from else { throw StateError("version \(version) is current already") }
    try StateTree.sync(work)
    let target = versionDirectory(version)
    // A version of the same name that is not current (a commit cut short
    // between its two renames, by a crash, and a run id used again) goes.
    try setAside(target)
    guard rename(work, target) == 0 else { throw .system("cannot rename \(work) to \(target)") }
    FileSystem.syncDirectory(versionsDirectory)
    FileSystem.syncDirectory(workDirectory)
    try point(at: version)
    var warning: String?
    do throws(StateError) {
      try StateLedger.append(
        StateChange(
          time: time, user: user, action: .commit, from: from, to: version, run: version,
          why: "task completed"), to: ledgerFile)
    } catch {
      warning = "committed, but \(error)"
    }
    prune(keep: keep, current: version)
    return (from, warning)
  }

  /// Makes an older version current again, and records who did it and why.
  /// If the change cannot be recorded, the previous version is made current
  /// again: a state never moves back silently.
  public func rollback(to version: String, user: String, why: String?, at time: Date = Date())
    throws(StateError) -> String?
  {
    guard RunID.isWellFormed(version), Self.isDirectory(versionDirectory(version)) else {
      throw StateError(
        "no version \(version) in \(versionsDirectory) (versions: "
          + "\(versions().joined(separator: ", ")))")
    }
    // A `current` that is broken (not a link of ours, a version gone) is
    // what a rollback repairs: it is replaced, never followed.
    let from = (try? current()) ?? nil
    guard version != from else { throw StateError("version \(version) is current already") }
    try point(at: version)
    do throws(StateError) {
      try StateLedger.append(
        StateChange(time: time, user: user, action: .rollback, from: from, to: version, why: why),
        to: ledgerFile)
    } catch {
      if let from { try? point(at: from) }
      throw StateError("\(error); the state was left at \(from ?? "no version")")
    }
    return from
  }

  // MARK: Recovery

  /// Removes what an attempt or a commit cut short left: attempts' copies,
  /// versions half pruned, a new `current` link not yet renamed. Only under
  /// the run lock: a running attempt's copy is in `.work/` too. Returns the
  /// paths removed.
  @discardableResult
  public func recover() -> [String] {
    var removed: [String] = []
    for name in StateTree.names(in: workDirectory) ?? [] {
      let path = "\(workDirectory)/\(name)"
      if FileSystem.removeTree(path) == nil { removed.append(path) }
    }
    for name in StateTree.names(in: directory) ?? [] where name.hasPrefix(".current.") {
      let path = "\(directory)/\(name)"
      if unlink(path) == 0 { removed.append(path) }
    }
    return removed
  }

  // MARK: Steps

  /// `state/`, the task's folder, the source's, `versions/` and `.work/`,
  /// made when missing; an existing one must be a directory of our own: not
  /// a link, not writable by every user (unless `files.others_may_write`).
  private func makeFolders() throws(StateError) {
    var path = base
    let below = directory.dropFirst(base.count).split(separator: "/").map(String.init)
    for component in below {
      path += "/\(component)"
      try makeFolder(path)
    }
    try makeFolder(versionsDirectory)
    try makeFolder(workDirectory)
  }

  private func makeFolder(_ path: String) throws(StateError) {
    if mkdir(path, FileSystem.directoryMode(in: PathName.parent(path))) == 0 { return }
    guard errno == EEXIST else { throw .system("cannot create \(path)") }
    if let problem = FileSystem.untrustedDirectory(path, othersMayWrite: othersMayWrite) {
      throw StateError("refusing to keep state in \(path): it \(problem)")
    }
  }

  /// Replaces `current` by a link to `versions/<version>`: a new link under
  /// a temporary name, renamed over the old one, the directory synced.
  private func point(at version: String) throws(StateError) {
    let temporary = "\(directory)/.current.\(getpid())"
    unlink(temporary)
    guard symlink("versions/\(version)", temporary) == 0 else {
      throw .system("cannot create \(temporary)")
    }
    guard rename(temporary, currentLink) == 0 else {
      let error = StateError.system("cannot replace \(currentLink)")
      unlink(temporary)
      throw error
    }
    guard FileSystem.syncDirectory(directory) else { throw .system("cannot sync \(directory)") }
  }

  /// Moves a version out of `versions/` into `.work/` in one rename, then
  /// removes it there: `versions/` never holds a version half removed.
  private func setAside(_ path: String) throws(StateError) {
    guard Self.exists(path) else { return }
    let aside = "\(workDirectory)/pruned-\(PathName.last(path))"
    _ = FileSystem.removeTree(aside)
    guard rename(path, aside) == 0 else { throw .system("cannot move \(path) aside") }
    _ = FileSystem.removeTree(aside)
  }

  /// All but the newest `keep` versions, and never `current`.
  private func prune(keep: Int, current: String) {
    let all = versions()
    for version in all.dropLast(keep) where version != current {
      try? setAside(versionDirectory(version))
    }
  }

  package static func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
  }

  package static func exists(_ path: String) -> Bool {
    var info = stat()
    return lstat(path, &info) == 0
  }
}
