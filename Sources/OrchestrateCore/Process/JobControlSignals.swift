import Dispatch
import Glibc

/// SIGTSTP and SIGCONT, taken by a thread of their own with `sigwaitinfo`,
/// as `SignalTrap` takes the signals that end a process. A run hands them to
/// its scheduler, which pauses and resumes the tasks (`orchestrate pause`
/// sends them); every other command keeps the usual meaning of Ctrl-Z: with
/// no handler in place, SIGTSTP stops this process as its default action
/// would. They are blocked in every thread by `SignalTrap.blockAtStart()`,
/// before any thread exists: one that reached a thread with SIGTSTP
/// unblocked would stop the orchestrator itself instead of pausing its run.
public final class JobControlSignals: @unchecked Sendable {
  public static let handled: [Int32] = [SIGTSTP, SIGCONT]

  /// One signal as received: `fromTerminal` when the terminal sent it
  /// (Ctrl-Z), not a `kill` from another process.
  public struct Received: Sendable {
    public var signal: Int32
    public var fromTerminal: Bool
  }

  private let id: Int

  /// Calls `handler` on `queue` for each SIGTSTP and SIGCONT from now on,
  /// and for those that arrived since `hold()` with no handler in place.
  public init(queue: DispatchQueue, handler: @escaping @Sendable (Received) -> Void) {
    id = JobControlThread.shared.push { received in queue.async { handler(received) } }
  }

  public func cancel() {
    JobControlThread.shared.remove(id)
  }

  /// From now on a SIGTSTP or SIGCONT with no handler waits for the next
  /// handler instead of acting at once: a run calls this before it has a
  /// scheduler, so that a pause asked for in its first moments is not lost.
  public static func hold() {
    JobControlThread.shared.holding = true
  }

  static func addHandled(to set: inout sigset_t) {
    for number in handled { sigaddset(&set, number) }
  }

  static func startThread() {
    JobControlThread.shared.start()
  }
}

/// The one thread that waits for SIGTSTP and SIGCONT.
private final class JobControlThread: @unchecked Sendable {
  static let shared = JobControlThread()

  private let lock = Lock()
  private var handlers: [(id: Int, deliver: (JobControlSignals.Received) -> Void)] = []
  private var nextID = 0
  private var held: [JobControlSignals.Received] = []
  private var holdingSignals = false
  private var started = false

  var holding: Bool {
    get { lock.withLock { holdingSignals } }
    set { lock.withLock { holdingSignals = newValue } }
  }

  func start() {
    let begin = lock.withLock { () -> Bool in
      defer { started = true }
      return !started
    }
    guard begin else { return }
    BackgroundThread.start(stackSize: 128 << 10) { [self] in wait() }
  }

  func push(_ deliver: @escaping (JobControlSignals.Received) -> Void) -> Int {
    // A library user that never called blockAtStart still gets its signals.
    if !lock.withLock({ started }) { SignalTrap.blockAtStart() }
    let (id, waiting) = lock.withLock { () -> (Int, [JobControlSignals.Received]) in
      nextID += 1
      handlers.append((nextID, deliver))
      defer { held.removeAll() }
      return (nextID, held)
    }
    for received in waiting { deliver(received) }
    return id
  }

  func remove(_ id: Int) {
    lock.withLock { handlers.removeAll { $0.id == id } }
  }

  private func wait() {
    var set = sigset_t()
    sigemptyset(&set)
    JobControlSignals.addHandled(to: &set)
    while true {
      var info = siginfo_t()
      let number = sigwaitinfo(&set, &info)
      guard number > 0 else { continue }
      // The kernel sends the terminal's signals (SI_KERNEL); kill(2) sends SI_USER.
      let received = JobControlSignals.Received(
        signal: number, fromTerminal: info.si_code == Self.sentByKernel)
      let deliver = lock.withLock { () -> ((JobControlSignals.Received) -> Void)? in
        if let handler = handlers.last { return handler.deliver }
        if holdingSignals { held.append(received) }
        return nil
      }
      if let deliver {
        deliver(received)
      } else if number == SIGTSTP && !holding {
        Self.stopThisProcess()
      }
      // SIGCONT needs nothing more: the kernel continued the process when it was sent.
    }
  }

  /// SI_KERNEL of <signal.h>: a signal the kernel itself generated.
  static let sentByKernel: Int32 = 0x80

  /// What SIGTSTP's default action does: stop the whole process. Raised in
  /// this thread, briefly unblocked, so that the stop happens here and now.
  static func stopThisProcess() {
    var one = sigset_t()
    sigemptyset(&one)
    sigaddset(&one, SIGTSTP)
    signal(SIGTSTP, SIG_DFL)
    raise(SIGTSTP)
    pthread_sigmask(SIG_UNBLOCK, &one, nil)
    // Continued (SIGCONT): blocked again, for the next one to be waited for.
    pthread_sigmask(SIG_BLOCK, &one, nil)
  }
}
