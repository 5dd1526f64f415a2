import Dispatch
import FoundationEssentials
import Glibc

/// SIGINT, SIGTERM and SIGHUP, taken by one thread with `sigwaitinfo` and
/// handed to the trap in place, never handled inside an async-signal
/// handler. `blockAtStart()` must run first in `main`: the signals are then
/// blocked in every thread (threads inherit the mask), so one that arrives
/// before a handler exists stays pending instead of killing the process or
/// being dropped. Setting a signal to SIG_IGN, as this used to do, discards
/// one already pending; blocking never does.
///
/// With no trap in place a signal ends the process at once, as if it had
/// never been blocked, unless `holdSignals()` was called: a run holds them
/// from its first step, so that one arriving between two traps is handed to
/// the next and none is ever lost.
public final class SignalTrap: @unchecked Sendable {
  public static let handled: [Int32] = [SIGINT, SIGTERM, SIGHUP]

  private let id: Int

  /// Calls `handler` on `queue` for each signal from now on, and for those
  /// held since no trap was in place.
  public init(queue: DispatchQueue, handler: @escaping @Sendable (Int32) -> Void) {
    signal(SIGPIPE, SIG_IGN)
    id = SignalThread.shared.push { number in queue.async { handler(number) } }
  }

  public func cancel() {
    SignalThread.shared.remove(id)
  }

  /// Blocks the handled signals in the calling thread and so in every thread
  /// it starts. Call first in `main`, before any other thread exists.
  /// SIGTSTP and SIGCONT are blocked too, for `JobControlSignals`' thread.
  public static func blockAtStart() {
    var set = handledSet()
    JobControlSignals.addHandled(to: &set)
    pthread_sigmask(SIG_BLOCK, &set, nil)
    SignalThread.shared.start()
    JobControlSignals.startThread()
  }

  /// From now on a signal with no trap in place waits for the next trap.
  public static func holdSignals() {
    SignalThread.shared.holding = true
  }

  /// The first signal received since the process started, if any, whether
  /// or not a trap saw it, including one still pending in the kernel.
  public static var firstReceived: Int32? {
    if let number = SignalThread.shared.first { return number }
    var pending = sigset_t()
    sigpending(&pending)
    return handled.first { sigismember(&pending, $0) == 1 }
  }

  static func handledSet() -> sigset_t {
    var set = sigset_t()
    sigemptyset(&set)
    for number in handled { sigaddset(&set, number) }
    return set
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

/// The one thread that waits for the handled signals.
private final class SignalThread: @unchecked Sendable {
  static let shared = SignalThread()

  private let lock = Lock()
  private var traps: [(id: Int, deliver: (Int32) -> Void)] = []
  private var nextID = 0
  private var held: [Int32] = []
  private var firstSignal: Int32?
  private var holdingSignals = false
  private var started = false

  var holding: Bool {
    get { lock.withLock { holdingSignals } }
    set { lock.withLock { holdingSignals = newValue } }
  }

  var first: Int32? { lock.withLock { firstSignal } }

  func start() {
    let begin = lock.withLock { () -> Bool in
      defer { started = true }
      return !started
    }
    guard begin else { return }
    BackgroundThread.start(stackSize: 128 << 10) { [self] in wait() }
  }

  func push(_ deliver: @escaping (Int32) -> Void) -> Int {
    // A library user that never called blockAtStart still gets its signals.
    if !lock.withLock({ started }) { SignalTrap.blockAtStart() }
    let (id, waiting) = lock.withLock { () -> (Int, [Int32]) in
      nextID += 1
      traps.append((nextID, deliver))
      defer { held.removeAll() }
      return (nextID, held)
    }
    for number in waiting { deliver(number) }
    return id
  }

  func remove(_ id: Int) {
    lock.withLock { traps.removeAll { $0.id == id } }
  }

  private func wait() {
    var set = SignalTrap.handledSet()
    while true {
      let number = sigwaitinfo(&set, nil)
      guard number > 0 else { continue }
      let deliver = lock.withLock { () -> ((Int32) -> Void)? in
        if firstSignal == nil { firstSignal = number }
        if let trap = traps.last { return trap.deliver }
        if holdingSignals { held.append(number) }
        return nil
      }
      if let deliver {
        deliver(number)
      } else if !holding {
        SignalTrap.reraise(number)
      }
    }
  }
}
