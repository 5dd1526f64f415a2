import Foundation

/// The orchestrator's own account of a run, one timestamped line per event,
/// to `orchestrate.log` in the run's log directory and to stderr.
public final class EventLog: @unchecked Sendable {
  private let lock = NSLock()
  private var fileDescriptor: Int32 = -1
  private let echo: Bool
  /// Lines redrawn below the log on a terminal: the tasks running now.
  private var liveLines: [String] = []
  private var batchDepth = 0
  /// Lines logged inside `batch`, not yet written.
  private var held = ""
  /// stderr is a terminal: live lines may be drawn and erased.
  public let isInteractive: Bool

  /// `echo`: also write each line to stderr.
  public init(echo: Bool = true, interactive: Bool = isatty(STDERR_FILENO) == 1) {
    self.echo = echo
    self.isInteractive = echo && interactive
  }

  /// Replaces the live lines under the log (only on a terminal).
  public func showLive(_ lines: [String]) {
    guard isInteractive else { return }
    lock.withLock {
      eraseLive()
      let width = Self.terminalWidth()
      liveLines = lines.map { String($0.prefix(width - 1)) }
      drawLive()
    }
  }

  private func eraseLive() {
    if !liveLines.isEmpty {
      Self.writeAll(
        String(repeating: "\u{1B}[1A\u{1B}[2K", count: liveLines.count) + "\r", to: STDERR_FILENO)
    }
  }

  private func drawLive() {
    if !liveLines.isEmpty {
      Self.writeAll(liveLines.joined(separator: "\n") + "\n", to: STDERR_FILENO)
    }
  }

  private static func terminalWidth() -> Int {
    var size = winsize()
    return ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 10
      ? Int(size.ws_col) : 80
  }

  /// Starts appending to `path`; lines logged before go to stderr only.
  public func attach(path: String) throws(AtomicFile.WriteError) {
    let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw AtomicFile.WriteError(path: path, reason: String(cString: strerror(errno)))
    }
    lock.withLock { fileDescriptor = fd }
  }

  public func log(_ message: String, at date: Date = Date()) {
    let line = "\(Timestamp.format(date)) \(message)\n"
    lock.withLock {
      if batchDepth > 0 {
        held += line
      } else {
        emit(line)
      }
    }
  }

  /// Holds the lines logged while `body` runs and writes them when it
  /// returns, with one write per destination. The end of a task and the
  /// start of the next one are logged together, after the next one is
  /// already running, instead of four writes delaying its start.
  public func batch<T>(_ body: () throws -> T) rethrows -> T {
    lock.withLock { batchDepth += 1 }
    defer {
      lock.withLock {
        batchDepth -= 1
        if batchDepth == 0, !held.isEmpty {
          emit(held)
          held = ""
        }
      }
    }
    return try body()
  }

  /// Call with the lock held.
  private func emit(_ lines: String) {
    if fileDescriptor >= 0 { Self.writeAll(lines, to: fileDescriptor) }
    if echo {
      eraseLive()
      Self.writeAll(lines, to: STDERR_FILENO)
      drawLive()
    }
  }

  public func close() {
    lock.withLock {
      if fileDescriptor >= 0 { Glibc.close(fileDescriptor) }
      fileDescriptor = -1
    }
  }

  static func writeAll(_ text: String, to fd: Int32) {
    var text = text
    text.withUTF8 { buffer in
      var offset = 0
      while offset < buffer.count {
        let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return }
        offset += n
      }
    }
  }
}
