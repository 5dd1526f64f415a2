import Glibc

/// Starts a detached POSIX thread: for work that blocks in a system call
/// (waiting for children or signals) and must not hold a Dispatch worker.
public enum BackgroundThread {
  private final class Work {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
  }

  /// `stackSize` in bytes; nil for the system's default (8 MiB on Linux).
  public static func start(stackSize: Int? = nil, _ body: @escaping @Sendable () -> Void) {
    let context = Unmanaged.passRetained(Work(body)).toOpaque()
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    if let stackSize {
      pthread_attr_setstacksize(&attributes, max(stackSize, Int(PTHREAD_STACK_MIN)))
    }
    var thread = pthread_t()
    let started = pthread_create(
      &thread, &attributes,
      { context in
        let work = Unmanaged<Work>.fromOpaque(context!).takeRetainedValue()
        work.body()
        return nil
      }, context)
    guard started == 0 else {
      Unmanaged<Work>.fromOpaque(context).release()
      fatalError("cannot start a thread: \(String(cString: strerror(started)))")
    }
    pthread_detach(thread)
  }
}
