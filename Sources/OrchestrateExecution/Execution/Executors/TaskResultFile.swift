import FoundationEssentials
import Glibc

/// How a task ended on a compute node, written by `orchestrate
/// task-wrapper` next to the attempt's log (`<task>.<attempt>.result`) and
/// read by the orchestrator once the job has left the queue: one line of
/// tab-separated fields, written to a temporary name and renamed, so it is
/// whole or absent.
struct TaskResultFile: Equatable, Sendable {
  /// nil when the program could not be started (`error` says why).
  var status: TerminationStatus?
  var usage: ResourceUsage
  var startedAt: Date
  var finishedAt: Date
  var node: String
  var error: String?

  var line: String {
    let end =
      switch status {
      case .exited(let code): "exit:\(code)"
      case .signaled(let signal): "signal:\(signal)"
      case nil: "none:0"
      }
    return [
      "v1", end, String(usage.peakRSSBytes), String(Int64((usage.userSeconds * 1e6).rounded())),
      String(Int64((usage.systemSeconds * 1e6).rounded())), Self.ms(startedAt), Self.ms(finishedAt),
      node, JournalEntry.escape(error ?? ""),
    ].joined(separator: "\t") + "\n"
  }

  init(
    status: TerminationStatus?, usage: ResourceUsage, startedAt: Date, finishedAt: Date,
    node: String, error: String? = nil
  ) {
    self.status = status
    self.usage = usage
    self.startedAt = startedAt
    self.finishedAt = finishedAt
    self.node = node
    self.error = error
  }

  init?(line: Substring) {
    let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
    guard fields.count == 9, fields[0] == "v1" else { return nil }
    let end = fields[1].split(separator: ":")
    guard end.count == 2, let value = Int32(end[1]), let rss = Int(fields[2]),
      let user = Int64(fields[3]), let system = Int64(fields[4]), let start = Int64(fields[5]),
      let finish = Int64(fields[6])
    else { return nil }
    switch end[0] {
    case "exit": status = .exited(value)
    case "signal": status = .signaled(value)
    default: status = nil
    }
    usage = ResourceUsage(
      peakRSSBytes: rss, userSeconds: Double(user) / 1e6, systemSeconds: Double(system) / 1e6)
    startedAt = Date(timeIntervalSince1970: Double(start) / 1000)
    finishedAt = Date(timeIntervalSince1970: Double(finish) / 1000)
    node = String(fields[7])
    let error = JournalEntry.unescape(fields[8])
    self.error = error.isEmpty ? nil : error
  }

  static func read(path: String) -> TaskResultFile? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    let text = String(decoding: data, as: UTF8.self)
    guard let line = text.split(separator: "\n").first else { return nil }
    return TaskResultFile(line: line)
  }

  /// Whole or not at all: a temporary file renamed over the name.
  func write(to path: String) -> Bool {
    let temporary = "\(path).tmp.\(getpid())"
    guard FileManager.default.createFile(atPath: temporary, contents: Data(line.utf8)) else {
      return false
    }
    return rename(temporary, path) == 0
  }

  private static func ms(_ date: Date) -> String {
    String(Int64((date.timeIntervalSince1970 * 1000).rounded()))
  }
}
