import Foundation
import OrchestrateKit

/// Earlier runs' records, made from a real record of the same pipeline.
extension TestRoot {
  /// Writes `metrics/<pipeline>/<run id>.json`: `template` started `daysAgo`
  /// days ago with `status`. A `running` record names a process long gone.
  @discardableResult
  func writeRecord(
    from template: RunRecord, daysAgo days: Double, status: RunStatus, pid: Int32 = 4121,
    edit: (inout RunRecord) -> Void = { _ in }
  ) throws -> String {
    var record = template
    let started = Date().addingTimeInterval(-days * 86400)
    let id = RunID(startedAt: started, pid: pid).text
    record.runId = id
    record.startedAt = Timestamp.parse(Timestamp.format(started))!
    record.finishedAt = status == .running ? nil : record.startedAt.addingTimeInterval(1)
    record.updatedAt = record.startedAt
    record.status = status
    record.pid = 999_999
    record.processStartTicks = 1
    edit(&record)
    let data = try RecordCoding.encoder().encode(record)
    try data.write(to: URL(fileURLWithPath: "\(path)/metrics/\(template.pipeline)/\(id).json"))
    return id
  }
}
