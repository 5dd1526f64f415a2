/// A task's kept state in its run record: the version it started from and
/// the one its completion committed (both run ids). A task that did not
/// complete has no `committed`: its state stayed at `from`.
public struct TaskStateRecord: Codable, Sendable, Equatable {
  /// nil: the task started from an empty state (its first run).
  public var from: String?
  public var committed: String?

  public init(from: String?, committed: String? = nil) {
    self.from = from
    self.committed = committed
  }
}
