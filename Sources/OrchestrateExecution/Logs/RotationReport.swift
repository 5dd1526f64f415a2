import FoundationEssentials

/// What one rotation of a pipeline's logs did (or, in a dry run, would do),
/// one step per run, in the order they happened.
public struct RotationReport: Sendable {
  public var pipeline: String
  public var dryRun: Bool
  /// The policy applied, when the pipeline was rotated.
  public var policy: LogPolicy?
  public var steps: [Step] = []
  /// Why the pipeline was passed over as a whole (a run in progress holds
  /// its lock), if it was.
  public var skipped: String?
  /// Why the pipeline could not be rotated at all (its file does not load).
  public var failure: String?
  /// A signal stopped the rotation before every run was looked at.
  public var stopped = false
  /// Entries of `logs/<pipeline>/` orchestrate did not write, left alone.
  public var foreign: [String] = []

  public init(pipeline: String, dryRun: Bool) {
    self.pipeline = pipeline
    self.dryRun = dryRun
  }

  public struct Step: Sendable, Equatable {
    /// The run id (or directory name); for leftovers, the file name.
    public var run: String
    public var outcome: Outcome
    /// The run's start, from its id: plans are shown in age order.
    public var startedAt: Date?
  }

  public enum Outcome: Sendable, Equatable {
    /// `archive` is the archive's file name; in a dry run `bytesAfter` is nil.
    case compressed(archive: String, bytesBefore: Int64, bytesAfter: Int64?)
    /// Directory and archive both existed and the archive was unreadable,
    /// so it was written again from the directory; `reason` says what was wrong.
    case archivedAgain(archive: String, bytesBefore: Int64, bytesAfter: Int64, reason: String)
    /// The run's logs are gone: `what` names the directory and/or archive.
    case deleted(what: String, bytes: Int64)
    /// The directory of a run already archived by a stopped rotation was removed.
    case directoryRemoved(archive: String)
    /// A temporary archive a stopped rotation left behind was removed.
    case leftoverRemoved
    /// The run's record, past `metrics.delete_after`, was deleted.
    case recordDeleted(bytes: Int64)
    /// The run's item events (segment and index), past `items.keep_events`, were deleted.
    case itemEventsDeleted(bytes: Int64)
    case skipped(reason: String)
    case failed(String)
  }

  public var errors: [String] {
    (failure.map { [$0] } ?? [])
      + steps.compactMap {
        if case .failed(let message) = $0.outcome { "\($0.run): \(message)" } else { nil }
      }
  }

  /// `compressed run_… → run_….tar.gz (120.0 MiB → 9.8 MiB)`
  public static func describe(_ step: Step, dryRun: Bool) -> String {
    let removed = dryRun ? "would remove" : "removed"
    switch step.outcome {
    case .compressed(let archive, let before, let after):
      let sizes = after.map { "\(ByteCount.format(before)) → \(ByteCount.format($0))" }
      return dryRun
        ? "would compress \(step.run) → \(archive) (\(ByteCount.format(before)))"
        : "compressed \(step.run) → \(archive) (\(sizes ?? ""))"
    case .archivedAgain(let archive, let before, let after, let reason):
      return "compressed \(step.run) → \(archive) again "
        + "(\(ByteCount.format(before)) → \(ByteCount.format(after))): the archive was unreadable: \(reason)"
    case .deleted(let what, let bytes):
      return "\(dryRun ? "would delete" : "deleted") \(what) (\(ByteCount.format(bytes)))"
    case .directoryRemoved(let archive):
      return "\(removed) \(step.run)/, already archived whole in \(archive)"
    case .leftoverRemoved:
      return "\(removed) \(step.run), left by a stopped rotation"
    case .recordDeleted(let bytes):
      return
        "\(dryRun ? "would delete" : "deleted") record \(step.run).json (\(ByteCount.format(bytes)))"
    case .itemEventsDeleted(let bytes):
      return "\(dryRun ? "would delete" : "deleted") item events of \(step.run) "
        + "(\(ByteCount.format(bytes)); the snapshot keeps every item's state)"
    case .skipped(let reason):
      return "skipped \(step.run): \(reason)"
    case .failed(let message):
      return "error \(step.run): \(message)"
    }
  }

  /// `compress after 7d, delete after 30d, gzip`
  public static func describe(_ policy: LogPolicy) -> String {
    let compress = policy.compressAfter.map { "compress after \(DurationText.format($0))" }
    let delete = policy.deleteAfter.map { "delete after \(DurationText.format($0))" }
    return [
      compress ?? "never compress", delete ?? "never delete", policy.compression.rawValue,
    ].joined(separator: ", ")
  }

  /// Every step as a line, then how the rotation ended if not normally.
  public var lines: [String] {
    var lines = steps.map { Self.describe($0, dryRun: dryRun) }
    if let skipped { lines.append("skipped: \(skipped)") }
    if let failure { lines.append("error: \(failure)") }
    if stopped { lines.append("stopped by a signal; the rest is left for the next rotation") }
    return lines
  }
}
