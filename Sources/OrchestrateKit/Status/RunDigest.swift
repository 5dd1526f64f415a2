import Foundation

/// The part of a run record that status statistics need, small enough to
/// keep thousands of runs in an index and read them back in milliseconds.
public struct RunDigest: Sendable, Equatable {
  /// The record file's name in its pipeline's metrics directory.
  public var file: String
  public var runId: String
  public var status: RunStatus
  public var startedAt: Double
  public var durationSeconds: Double?
  public var tasks: [TaskDigest]

  public struct TaskDigest: Sendable, Equatable {
    public var name: String
    public var status: TaskStatus
    public var durationSeconds: Double?
    public var peakRssBytes: Int?
  }

  public init(
    file: String, runId: String, status: RunStatus, startedAt: Double, durationSeconds: Double?,
    tasks: [TaskDigest]
  ) {
    self.file = file
    self.runId = runId
    self.status = status
    self.startedAt = startedAt
    self.durationSeconds = durationSeconds
    self.tasks = tasks
  }

  public init(_ record: RunRecord, file: String) {
    self.init(
      file: file, runId: record.runId, status: record.status,
      startedAt: record.startedAt.timeIntervalSince1970,
      durationSeconds: record.durationSeconds,
      tasks: record.tasks.map {
        TaskDigest(
          name: $0.name, status: $0.status, durationSeconds: $0.durationSeconds,
          peakRssBytes: $0.peakRssBytes)
      })
  }
}
