import Foundation

/// Turns SIGINT, SIGTERM and SIGHUP into calls on a queue (dispatch sources,
/// never work inside an async-signal handler), and re-raises a signal after
/// cleanup so the exit status says how the run ended.
public final class SignalTrap: @unchecked Sendable {
  public static let handled: [Int32] = [SIGINT, SIGTERM, SIGHUP]
  private var sources: [DispatchSourceSignal] = []

  public init(queue: DispatchQueue, handler: @escaping @Sendable (Int32) -> Void) {
    signal(SIGPIPE, SIG_IGN)
    for number in Self.handled {
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
      source.setEventHandler { handler(number) }
      source.resume()
      sources.append(source)
    }
  }

  public func cancel() {
    for source in sources { source.cancel() }
    sources.removeAll()
  }

  /// Ends the process by `signal` with its default action, as if it had
  /// never been caught. Falls back to the shell's 128+N exit status.
  public static func reraise(_ number: Int32) -> Never {
    signal(number, SIG_DFL)
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, number)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
    raise(number)
    exit(128 + number)
  }
}
