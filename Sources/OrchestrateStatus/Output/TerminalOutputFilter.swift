import Dispatch
import FoundationEssentials
import Glibc

/// Standard output through `TerminalText` while it is a terminal: a task's
/// log holds whatever the task wrote, escape sequences included, and
/// `orchestrate logs` must not let them act on the reader's terminal. The
/// printers write to file descriptor 1 as they would to a file or a pipe;
/// this puts a pipe there and a thread that escapes what comes through it.
/// Bytes written to anything but a terminal are left as they are.
public final class TerminalOutputFilter: @unchecked Sendable {
  private let terminal: Int32
  private let source: Int32
  private let done = DispatchSemaphore(value: 0)

  /// The filter in front of standard output, or nil when standard output
  /// is not a terminal (or the pipe cannot be made: then it is left as is).
  public static func install() -> TerminalOutputFilter? {
    guard isatty(STDOUT_FILENO) == 1 else { return nil }
    var ends: [Int32] = [0, 0]
    guard pipe(&ends) == 0 else { return nil }
    for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
    let terminal = dup(STDOUT_FILENO)
    guard terminal >= 0, dup2(ends[1], STDOUT_FILENO) >= 0 else {
      close(ends[0])
      close(ends[1])
      if terminal >= 0 { close(terminal) }
      return nil
    }
    close(ends[1])
    let filter = TerminalOutputFilter(terminal: terminal, source: ends[0])
    BackgroundThread.start { filter.relay() }
    return filter
  }

  private init(terminal: Int32, source: Int32) {
    self.terminal = terminal
    self.source = source
  }

  /// Ends the output: what was written is escaped and shown before this returns.
  public func finish() {
    fflush(nil)
    close(STDOUT_FILENO)
    done.wait()
    dup2(terminal, STDOUT_FILENO)
  }

  private func relay() {
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    var pending: [UInt8] = []
    while true {
      let count = read(source, &buffer, buffer.count)
      if count < 0 && errno == EINTR { continue }
      if count <= 0 { break }
      pending += buffer[..<count]
      // A UTF-8 sequence cut by the read waits for its end.
      let whole = pending.count - Self.incompleteTail(pending)
      show(pending[..<whole])
      pending.removeFirst(whole)
    }
    show(pending[...])
    close(source)
    done.signal()
  }

  private func show(_ bytes: ArraySlice<UInt8>) {
    guard !bytes.isEmpty else { return }
    let text = TerminalText.escapedKeepingLines(String(decoding: bytes, as: UTF8.self))
    _ = Array(text.utf8).withUnsafeBytes { FileDescriptor.writeAll($0, to: terminal) }
  }

  /// How many bytes at the end of `bytes` begin a UTF-8 sequence that is
  /// not complete yet.
  static func incompleteTail(_ bytes: [UInt8]) -> Int {
    guard !bytes.isEmpty else { return 0 }
    for back in 1...min(3, bytes.count) {
      let byte = bytes[bytes.count - back]
      if byte & 0xC0 == 0x80 { continue }  // a continuation byte: look further back
      let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
      return length > back ? back : 0
    }
    return 0
  }
}
