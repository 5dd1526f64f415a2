import FoundationEssentials
import Glibc

/// The orchestrator's own account of a run, one timestamped line per event,
/// always to `orchestrate.log` in the run's log directory and, when asked,
/// to stderr.
public final class EventLog: @unchecked Sendable {
  private let lock = Lock()
  private var fileDescriptor: Int32 = -1
  private let echo: Bool
  /// Lines logged before the log file was attached: written to it then, so
  /// that the file has every line whatever goes to stderr.
  private var beforeAttach = ""
  /// What the live lines looked like when drawn: needed to erase them.
  private var liveLines: [String] = []
  private var batchDepth = 0
  /// The thread whose lines a batch holds; the scheduler's queue runs one at a time.
  private var batchOwner: pthread_t?
  /// Lines logged inside `batch`, not yet written.
  private var held = ""
  private var recordedProblems: [String] = []
  /// stderr is a terminal that may be drawn on: live lines are drawn and erased.
  public let isInteractive: Bool

  /// `echo`: also write each line to stderr. `interactive`: stderr is a
  /// terminal that allows cursor movement (see `TerminalStyle.allowsCursorMovement`).
  public init(
    echo: Bool = true,
    interactive: Bool = TerminalStyle.allowsCursorMovement(descriptor: STDERR_FILENO)
  ) {
    self.echo = echo
    self.isInteractive = echo && interactive
  }

  /// Lines logged with `problem`: what the run's report must repeat even
  /// when nothing else is shown.
  public var problems: [String] { lock.withLock { recordedProblems } }

  /// Replaces the live lines under the log (only on a terminal).
  public func showLive(_ lines: [String]) {
    guard isInteractive else { return }
    lock.withLock {
      let width = Self.terminalWidth()
      let fitted = lines.map { String($0.prefix(width - 1)) }
      guard fitted != liveLines || width != drawnWidth else { return }
      // One synchronized update (DECSET 2026): a terminal that knows the
      // mode shows erase and redraw as one frame, others ignore it.
      FileDescriptor.writeAll(
        Self.beginUpdate + erasure(width: width) + drawing(fitted), to: STDERR_FILENO)
      FileDescriptor.writeAll(Self.endUpdate, to: STDERR_FILENO)
      liveLines = fitted
      drawnWidth = width
    }
  }

  private var drawnWidth = 0
  static let beginUpdate = "\u{1B}[?2026h"
  static let endUpdate = "\u{1B}[?2026l"

  /// Moves up over the live lines and clears to the end of the screen. A
  /// window made narrower since they were drawn has rewrapped them: each
  /// takes as many rows as the new width needs.
  private func erasure(width: Int) -> String {
    guard !liveLines.isEmpty else { return "" }
    let rows = liveLines.reduce(0) { $0 + max(1, ($1.count + width - 1) / width) }
    return "\r\u{1B}[\(rows)A\u{1B}[J"
  }

  private func drawing(_ lines: [String]) -> String {
    lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
  }

  private static func terminalWidth() -> Int {
    var size = winsize()
    return ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 10
      ? Int(size.ws_col) : 80
  }

  /// Starts appending to `path`, beginning with the lines logged so far.
  public func attach(path: String) throws(AtomicFile.WriteError) {
    let fd = FileSystem.openOwn(path, O_WRONLY | O_APPEND)
    guard fd >= 0 else {
      throw AtomicFile.WriteError(path: path, reason: String(cString: strerror(errno)))
    }
    lock.withLock {
      fileDescriptor = fd
      if !beforeAttach.isEmpty { FileDescriptor.writeAll(beforeAttach, to: fd) }
      beforeAttach = ""
    }
  }

  public func log(_ message: String, at date: Date = Date()) {
    let line = "\(Timestamp.format(date)) \(message)\n"
    lock.withLock {
      if batchDepth > 0, let owner = batchOwner, pthread_equal(owner, pthread_self()) != 0 {
        held += line
      } else {
        // Another thread (the run ending while the scheduler's thread is
        // still in a batch) must not wait for that batch: the process may
        // exit first. The held lines are older, so they go first.
        if !held.isEmpty {
          emit(held)
          held = ""
        }
        emit(line)
      }
    }
  }

  /// Logs a line about something that went wrong beside the tasks (a record
  /// that could not be written, a rotation that failed, an earlier run found
  /// abandoned), and keeps it for the run's report.
  public func problem(_ message: String, at date: Date = Date()) {
    lock.withLock { recordedProblems.append(message) }
    log(message, at: date)
  }

  /// Holds the lines logged while `body` runs and writes them when it
  /// returns, with one write per destination. The end of a task and the
  /// start of the next one are logged together, after the next one is
  /// already running, instead of four writes delaying its start.
  public func batch<T>(_ body: () throws -> T) rethrows -> T {
    lock.withLock {
      batchDepth += 1
      batchOwner = pthread_self()
    }
    defer {
      lock.withLock {
        batchDepth -= 1
        if batchDepth == 0 {
          batchOwner = nil
          if !held.isEmpty {
            emit(held)
            held = ""
          }
        }
      }
    }
    return try body()
  }

  /// Call with the lock held.
  private func emit(_ lines: String) {
    if fileDescriptor >= 0 {
      FileDescriptor.writeAll(lines, to: fileDescriptor)
    } else {
      beforeAttach += lines
    }
    guard echo else { return }
    if liveLines.isEmpty {
      FileDescriptor.writeAll(lines, to: STDERR_FILENO)
    } else {
      let width = Self.terminalWidth()
      FileDescriptor.writeAll(
        Self.beginUpdate + erasure(width: width) + lines + drawing(liveLines) + Self.endUpdate,
        to: STDERR_FILENO)
      drawnWidth = width
    }
  }

  public func close() {
    lock.withLock {
      if fileDescriptor >= 0 { Glibc.close(fileDescriptor) }
      fileDescriptor = -1
    }
  }

}
