import FoundationEssentials
import Glibc

/// Applies a pipeline's log policy to `logs/<pipeline>/`: run directories
/// older than `compress_after` become archives, runs older than
/// `delete_after` are deleted, and what a stopped rotation left is finished.
/// Only entries named after run ids are touched; anything else there is the
/// user's. Run records are deleted only under `metrics: {delete_after: …}`.
/// A problem with one run is reported in its step and the other runs are
/// rotated all the same.
///
/// The caller holds the pipeline's run lock, so no other rotation works here.
public struct LogRotator {
  public var layout: RootLayout
  public var pipeline: String
  public var policy: LogPolicy
  /// The pipeline's `metrics.delete_after`; nil keeps every record.
  public var metricsDeleteAfter: Duration?
  /// The pipeline's `items.keep_events`; nil keeps every run's item events.
  public var itemsKeepEvents: Duration?
  public var now = Date()
  /// The run that is rotating its own pipeline's logs: never touched.
  public var currentRun: String?
  public var dryRun = false
  /// Off after a run cancelled by a signal: only the quick work (deleting)
  /// is done then, compression waits for the next rotation.
  public var compresses = true
  /// Asked between runs and between blocks of data; true stops the rotation
  /// cleanly (a half-written archive is removed).
  public var shouldStop: () -> Bool = { false }
  /// Called as each step happens, so long rotations are reported as they go.
  public var onStep: (RotationReport.Step) -> Void = { _ in }

  public init(layout: RootLayout, pipeline: String, policy: LogPolicy) {
    self.layout = layout
    self.pipeline = pipeline
    self.policy = policy
  }

  /// What is due for one run's logs.
  enum Due: Equatable {
    case nothing, compress, delete
    /// Directory and archive both exist: a rotation stopped half way.
    case settle
  }

  static func due(_ run: StoredRunLogs, policy: LogPolicy, now: Date) -> Due {
    let age = now.timeIntervalSince(run.startedAt)
    if let deleteAfter = policy.deleteAfter, age >= deleteAfter.seconds { return .delete }
    guard run.directory != nil else { return .nothing }
    if run.archive != nil { return .settle }
    if let compressAfter = policy.compressAfter, age >= compressAfter.seconds { return .compress }
    return .nothing
  }

  public func rotate() -> RotationReport {
    var report = RotationReport(pipeline: pipeline, dryRun: dryRun)
    report.policy = policy
    func record(_ run: String, _ outcome: RotationReport.Outcome) {
      let id = RunID(run) ?? LogArchive.runOfTemporary(fileName: run).flatMap(RunID.init)
      let step = RotationReport.Step(run: run, outcome: outcome, startedAt: id?.startedAt)
      report.steps.append(step)
      onStep(step)
    }
    let contents = PipelineLogDirectory(layout: layout, pipeline: pipeline).scan()
    report.foreign = contents.foreign
    for temporary in contents.temporaries {
      let name = PathName.last(temporary)
      if dryRun || unlink(temporary) == 0 || errno == ENOENT {
        record(name, .leftoverRemoved)
      } else {
        record(name, .failed("cannot remove \(temporary): \(String(cString: strerror(errno)))"))
      }
    }
    for run in contents.runs where run.name != currentRun {
      if shouldStop() {
        report.stopped = true
        break
      }
      let due = Self.due(run, policy: policy, now: now)
      guard due != .nothing, compresses || due == .delete else { continue }
      if let reason = inProgress(run) {
        record(run.name, .skipped(reason: reason))
        continue
      }
      let outcome: RotationReport.Outcome
      do throws(LogArchiveError) {
        switch due {
        case .delete: outcome = try delete(run)
        case .compress: outcome = try compress(run)
        case .settle: outcome = try settle(run)
        case .nothing: continue
        }
      } catch {
        if error == .stopped {
          report.stopped = true
          break
        }
        outcome = .failed(error.description)
      }
      record(run.name, outcome)
    }
    if let metricsDeleteAfter, !report.stopped, !shouldStop() {
      deleteExpiredRecords(after: metricsDeleteAfter, record: record)
    }
    if let itemsKeepEvents, !report.stopped, !shouldStop() {
      deleteExpiredItemEvents(after: itemsKeepEvents, record: record)
    }
    return report
  }

  /// Deletes the records `metrics.delete_after` no longer keeps, then
  /// brings the status index up to date with what is left.
  private func deleteExpiredRecords(
    after limit: Duration, record: (String, RotationReport.Outcome) -> Void
  ) {
    let directory = layout.metricsDirectory(pipeline: pipeline)
    let runs = StatusIndex.load(directory: directory, now: now, tasks: .newest(0)).runs
    let expired = MetricsRetention.expired(
      runs, deleteAfter: limit, now: now, currentRun: currentRun)
    guard !expired.isEmpty else { return }
    for run in expired {
      let path = "\(directory)/\(run.file)"
      let bytes = FileSystem.treeSize(path)
      if dryRun || unlink(path) == 0 || errno == ENOENT {
        record(run.runId, .recordDeleted(bytes: bytes))
      } else {
        record(run.runId, .failed("cannot remove \(path): \(String(cString: strerror(errno)))"))
      }
    }
    if !dryRun {
      FileSystem.syncDirectory(directory)
      _ = StatusIndex.load(directory: directory, now: now, tasks: .newest(0))
    }
  }

  /// Deletes the item segments `items.keep_events` no longer keeps; the
  /// ledger folds what its snapshot lacks of them first.
  private func deleteExpiredItemEvents(
    after limit: Duration, record: (String, RotationReport.Outcome) -> Void
  ) {
    let ledger = ItemLedger(layout: layout, pipeline: pipeline)
    guard ledger.exists else { return }
    let expired = ledger.expiredSegments(keepEvents: limit, now: now, currentRun: currentRun)
    let problems =
      dryRun ? [:] : Dictionary(ledger.remove(expired).map { ($0.run, $0.problem) }) { $1 }
    for segment in expired {
      if let problem = problems[segment.run] {
        record(segment.run, .failed("item events: \(problem)"))
      } else {
        record(segment.run, .itemEventsDeleted(bytes: segment.bytes))
      }
    }
  }

  /// Why a run must be left alone: its record says it is running and its
  /// orchestrator is alive (or on another host, where this one cannot tell).
  private func inProgress(_ run: StoredRunLogs) -> String? {
    guard let id = run.runID,
      let record = RecordCoding.readRecord(at: layout.metricsFile(pipeline: pipeline, run: id)),
      record.status == .running
    else { return nil }
    switch ProcessIdentity(of: record).liveness() {
    case .gone: return nil
    case .alive: return "in progress (pid \(record.pid))"
    case .unknown:
      return "in progress on \(record.host) (pid \(record.pid)), which cannot be checked from here"
    }
  }

  private func delete(_ run: StoredRunLogs) throws(LogArchiveError) -> RotationReport.Outcome {
    let paths = [run.directory, run.archive].compactMap { $0 }
    let what = paths.map {
      PathName.last($0) + ($0 == run.directory ? "/" : "")
    }.joined(separator: " and ")
    let bytes = paths.reduce(0) { $0 + FileSystem.treeSize($1) }
    if !dryRun {
      for path in paths {
        if let problem = FileSystem.removeTree(path) {
          throw LogArchiveError("cannot remove \(problem.path): \(problem.reason)")
        }
      }
      FileSystem.syncDirectory(PipelineLogDirectory(layout: layout, pipeline: pipeline).path)
    }
    return .deleted(what: what, bytes: bytes)
  }

  private func compress(_ run: StoredRunLogs) throws(LogArchiveError) -> RotationReport.Outcome {
    let directory = run.directory!
    let name = LogArchive.fileName(run: run.name, compression: policy.compression)
    if dryRun {
      return .compressed(
        archive: name, bytesBefore: FileSystem.treeSize(directory), bytesAfter: nil)
    }
    let archived = try RunArchiver.archive(
      directory: directory, compression: policy.compression, shouldStop: shouldStop)
    return .compressed(
      archive: name, bytesBefore: archived.bytesBefore, bytesAfter: archived.bytesAfter)
  }

  private func settle(_ run: StoredRunLogs) throws(LogArchiveError) -> RotationReport.Outcome {
    let archive = run.archive!
    let name = PathName.last(archive)
    if dryRun { return .directoryRemoved(archive: name) }
    switch try RunArchiver.settle(
      directory: run.directory!, archive: archive, shouldStop: shouldStop)
    {
    case .directoryRemoved:
      return .directoryRemoved(archive: name)
    case .archivedAgain(let archived, let reason):
      return .archivedAgain(
        archive: name, bytesBefore: archived.bytesBefore, bytesAfter: archived.bytesAfter,
        reason: reason)
    }
  }
}
