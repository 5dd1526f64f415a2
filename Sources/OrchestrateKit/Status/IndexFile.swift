import Foundation

/// The status index on disk: a header line, then one tab-separated line per
/// record file. Plain text so that it can be read without a JSON parser in
/// the way, and inspected with `cat` when in doubt.
///
///     name  size  mtime_ns  R  run_id  status  started  duration  (task  status  duration  rss)*
///     name  size  mtime_ns  U  reason
enum IndexFile {
  static func read(_ path: String) -> [String: (stamp: StatusIndex.Stamp, entry: StatusIndex.Entry)]
  {
    guard let data = FileManager.default.contents(atPath: path) else { return [:] }
    var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
    guard let first = lines.first, String(decoding: first, as: UTF8.self) == StatusIndex.header
    else { return [:] }
    lines.removeFirst()
    var entries: [String: (StatusIndex.Stamp, StatusIndex.Entry)] = [:]
    entries.reserveCapacity(lines.count)
    for line in lines {
      let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
        .map { String(decoding: $0, as: UTF8.self) }
      guard fields.count >= 5, let size = Int64(fields[1]), let modified = Int64(fields[2])
      else { continue }
      let stamp = StatusIndex.Stamp(size: size, modified: modified)
      if fields[3] == "U" {
        entries[fields[0]] = (stamp, .unreadable(fields[4]))
        continue
      }
      guard fields[3] == "R", fields.count >= 8, (fields.count - 8) % 4 == 0,
        let status = RunStatus(rawValue: fields[5]), let started = Double(fields[6])
      else { continue }
      var tasks: [RunDigest.TaskDigest] = []
      tasks.reserveCapacity((fields.count - 8) / 4)
      var index = 8
      while index < fields.count {
        guard let taskStatus = TaskStatus(rawValue: fields[index + 1]) else { break }
        tasks.append(
          RunDigest.TaskDigest(
            name: fields[index], status: taskStatus, durationSeconds: Double(fields[index + 2]),
            peakRssBytes: Int(fields[index + 3])))
        index += 4
      }
      guard index == fields.count else { continue }
      entries[fields[0]] = (
        stamp,
        .run(
          RunDigest(
            file: fields[0], runId: fields[4], status: status, startedAt: started,
            durationSeconds: Double(fields[7]), tasks: tasks))
      )
    }
    return entries.mapValues { (stamp: $0.0, entry: $0.1) }
  }

  /// One line, or nil for a record whose names would break the format
  /// (it is then read from its file every time).
  static func line(name: String, stamp: StatusIndex.Stamp, entry: StatusIndex.Entry) -> String? {
    var fields = [name, String(stamp.size), String(stamp.modified)]
    switch entry {
    case .unreadable(let reason):
      fields += ["U", reason]
    case .run(let run):
      fields += [
        "R", run.runId, run.status.rawValue, String(run.startedAt), number(run.durationSeconds),
      ]
      for task in run.tasks {
        fields += [
          task.name, task.status.rawValue, number(task.durationSeconds),
          task.peakRssBytes.map(String.init) ?? "-",
        ]
      }
    }
    guard !fields.contains(where: { $0.contains("\t") || $0.contains("\n") }) else { return nil }
    return fields.joined(separator: "\t")
  }

  /// Best effort: a read-only metrics directory only costs speed.
  static func write(_ lines: [String?], to path: String) {
    let text = ([StatusIndex.header] + lines.compactMap { $0 }).joined(separator: "\n") + "\n"
    try? AtomicFile.write(Data(text.utf8), to: path)
  }

  private static func number(_ value: Double?) -> String {
    value.map { String($0) } ?? "-"
  }
}
