import FoundationEssentials

/// A signal asked long housekeeping to stop: set from a signal source's
/// queue, read between blocks of work.
public final class StopRequest: @unchecked Sendable {
  private let lock = Lock()
  private var received: Int32?

  public init() {}

  public func request(signal: Int32) { lock.withLock { received = received ?? signal } }

  /// The first signal received, if any.
  public var signal: Int32? { lock.withLock { received } }

  public var isRequested: Bool { signal != nil }
}
