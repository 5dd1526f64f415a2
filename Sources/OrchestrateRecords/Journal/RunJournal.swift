import CProcessSupport
import FoundationEssentials
import Glibc

/// The run's append-only account of what the next run needs to clean up
/// after a dead orchestrator: `logs/<pipeline>/<run_id>/orchestrate.journal`.
/// A task's pid, process group and start time are on disk before the
/// orchestrator waits on it; its exit, its leftovers and its final status
/// follow. The record stays the document people read, rewritten at most
/// about once a second; the journal is how the truth survives a `kill -9`
/// between two rewrites. No fsync: a killed process's writes are in the
/// page cache (power loss is what the record's fsync is for).
///
/// Facts are held until the next start and written just before it, so a
/// burst of ends costs one `write` and nothing that ended is ever behind a
/// process that started later. Not thread-safe: use from the scheduler's queue.
package final class RunJournal: @unchecked Sendable {
  package static let fileName = "orchestrate.journal"
  /// Disk set aside per task when the journal is opened: a start, an exit
  /// and a final status line, a few times over for retries.
  package static let reservedBytesPerTask = 1024

  private let fd: Int32
  private var held = ""

  package struct Failure: Error, CustomStringConvertible {
    package var description: String
  }

  /// Creates the journal and reserves its space, so that a disk filled by
  /// the run's tasks does not silence it.
  package init(path: String, tasks: Int) throws(Failure) {
    fd = FileSystem.openOwn(path, O_WRONLY | O_APPEND)
    guard fd >= 0 else {
      throw Failure(description: "cannot create \(path): \(String(cString: strerror(errno)))")
    }
    let error = orchestrate_reserve_space(fd, Int64(64 << 10 + tasks * Self.reservedBytesPerTask))
    if error == ENOSPC || error == EDQUOT {
      close(fd)
      unlink(path)
      throw Failure(
        description: "cannot reserve space for \(path): \(String(cString: strerror(error)))")
    }
  }

  deinit { close(fd) }

  /// Keeps `entry` for the next write.
  package func hold(_ entry: JournalEntry) {
    held += entry.line
  }

  /// Writes `entry` now, after whatever is held, in one `write`.
  package func write(_ entry: JournalEntry) {
    held += entry.line
    flush()
  }

  package func flush() {
    guard !held.isEmpty else { return }
    FileDescriptor.writeAll(held, to: fd)
    held = ""
  }

  /// The entries of a journal file in order; a torn last line (the writer
  /// died mid-write) and unknown lines are left out.
  package static func read(path: String) -> [JournalEntry] {
    guard let data = FileManager.default.contents(atPath: path) else { return [] }
    var lines = String(decoding: data, as: UTF8.self).split(
      separator: "\n", omittingEmptySubsequences: false)
    // What follows the last newline is a line cut short, or nothing.
    lines.removeLast()
    return lines.compactMap { JournalEntry(line: $0) }
  }

  package static func path(in layout: RootLayout, pipeline: String, runId: String) -> String {
    "\(layout.logsDirectory(pipeline: pipeline))/\(runId)/\(fileName)"
  }
}
