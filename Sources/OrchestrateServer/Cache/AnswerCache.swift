import CServeSupport
import Dispatch
import Foundation
import OrchestrateKit

/// Answers kept between requests, each with the `DataStamp` of the files it
/// was computed from: a request whose stamp is the same gets the kept
/// answer, one whose stamp moved gets a new one, so a page changes as soon
/// as a run's record does. What moves with the clock alone (ages, "as of",
/// a run becoming missed, a run in progress) is computed again once the
/// answer is `freshness` old (`liveFreshness` for a run in progress),
/// whatever the number of clients asking. An answer showing a run in
/// progress stands for `liveFreshness` even when its records moved, until
/// a run ends: such a run's record changes with every task, and its
/// viewers ask every 2 s.
///
/// One computation per answer at a time: requests that arrive while it runs
/// wait for it; when only the clock moved, they get the answer it replaces
/// meanwhile (but for a run in progress, whose first viewer waits for it).
/// Computations run on a queue of their own, so that the threads reading
/// and writing connections keep answering from what is kept.
///
/// Memory is bounded by `Limits`, not by the number of requests: at most
/// `entries` answers and `bytes` of bodies (plain and compressed), the
/// least recently used dropped first.
final class AnswerCache: @unchecked Sendable {
  struct Limits: Sendable {
    var entries = 256
    var bytes = 64 << 20
  }

  static let freshness: Duration = .seconds(5)
  /// A viewer of a run in progress asks every 2 s: its answer may be half that old.
  let liveFreshness: Duration

  let limits: Limits
  private let lock = Lock()
  private var entries: [String: Entry] = [:]
  private var flights: [String: Flight] = [:]
  private var bytes = 0
  /// Counts uses, for the least recently used.
  private var uses: UInt64 = 0
  private var flightNumbers: UInt64 = 0
  private let workers = DispatchQueue(label: "orchestrate.serve.answers", attributes: .concurrent)

  private struct Entry {
    var stamp: DataStamp
    var answer: CachedAnswer
    var used: UInt64
  }

  private struct Flight {
    var number: UInt64
    var stamp: DataStamp
    var task: Task<CachedAnswer, Never>
  }

  private enum Plan {
    case kept(CachedAnswer)
    case wait(Task<CachedAnswer, Never>)
  }

  init(limits: Limits = Limits(), liveFreshness: Duration = .seconds(1)) {
    self.limits = limits
    self.liveFreshness = liveFreshness
  }

  /// What is kept: answers and their bytes.
  var usage: (entries: Int, bytes: Int) {
    lock.withLock { (entries.count, bytes) }
  }

  /// The answer for `key` as of `stamp`, kept or computed by `compute`.
  func answer(
    key: String, stamp: DataStamp, compute: @escaping @Sendable () -> RenderedAnswer
  ) async -> CachedAnswer {
    let now = ContinuousClock.now
    // A stamp taken just after a change may not move with the next one:
    // such an answer is computed for this request alone, and not kept.
    let settled = stamp.isSettled(at: Self.wallClockNanoseconds())
    let plan = lock.withLock { () -> Plan in
      // A run in progress rewrites its record as each task moves: its
      // answer stands for `liveFreshness` until a run ends (a status index
      // grows), or every viewer polling it would have it decoded again for
      // each request.
      if let entry = entries[key], entry.answer.rendered.live,
        entry.stamp.indexes == stamp.indexes, now - entry.answer.computed < liveFreshness
      {
        markUsed(key)
        return .kept(entry.answer)
      }
      if settled, let entry = entries[key], entry.stamp == stamp {
        markUsed(key)
        let live = entry.answer.rendered.live
        let fresh = now - entry.answer.computed < (live ? liveFreshness : Self.freshness)
        if fresh || flights[key]?.stamp == stamp { return .kept(entry.answer) }
        // Only the clock moved: computed again behind this answer. A run in
        // progress is waited for: its viewer asks every 2 s for what is new.
        if !live {
          _ = startFlight(key: key, stamp: stamp, keep: true, compute)
          return .kept(entry.answer)
        }
      }
      if settled, let flight = flights[key], flight.stamp == stamp { return .wait(flight.task) }
      return .wait(startFlight(key: key, stamp: stamp, keep: settled, compute))
    }
    switch plan {
    case .kept(let answer): return answer
    case .wait(let task): return await task.value
    }
  }

  /// Under the lock: `key`'s answer is the most recently used.
  private func markUsed(_ key: String) {
    uses += 1
    entries[key]?.used = uses
  }

  /// Under the lock.
  private func startFlight(
    key: String, stamp: DataStamp, keep: Bool,
    _ compute: @escaping @Sendable () -> RenderedAnswer
  ) -> Task<CachedAnswer, Never> {
    flightNumbers += 1
    let number = flightNumbers
    let task = Task {
      await self.computed(key: key, stamp: stamp, keep: keep, flight: number, compute)
    }
    if keep { flights[key] = Flight(number: number, stamp: stamp, task: task) }
    return task
  }

  private func computed(
    key: String, stamp: DataStamp, keep: Bool, flight: UInt64,
    _ compute: @escaping @Sendable () -> RenderedAnswer
  ) async -> CachedAnswer {
    var answer = await withCheckedContinuation { continuation in
      workers.async {
        let rendered = compute()
        let answer = CachedAnswer(rendered, lastModified: 0, computed: ContinuousClock.now)
        // A computation reads a whole history (tens of MiB over years of
        // runs) and frees it; glibc keeps freed memory in the arena of the
        // thread that used it, and computations run on any thread: handed
        // back, it leaves the server's size at what it keeps.
        malloc_trim(0)
        continuation.resume(returning: answer)
      }
    }
    return lock.withLock {
      // A body seen before keeps its date; a new one is dated after every
      // answer already given for this key, whose dates are at most the
      // moment they were sent: no client's copy can look as new as it.
      if let previous = entries[key]?.answer, previous.entityTag == answer.entityTag {
        answer.lastModified = previous.lastModified
      } else {
        answer.lastModified = Self.wallClockNanoseconds() / 1_000_000_000 + 1
      }
      if flights[key]?.number == flight { flights[key] = nil }
      if keep { store(answer, stamp: stamp, key: key) }
      return answer
    }
  }

  /// Under the lock.
  private func store(_ answer: CachedAnswer, stamp: DataStamp, key: String) {
    if let old = entries.removeValue(forKey: key) { bytes -= old.answer.size }
    // One answer may take a quarter of the room at most.
    guard answer.size <= limits.bytes / 4 else { return }
    uses += 1
    entries[key] = Entry(stamp: stamp, answer: answer, used: uses)
    bytes += answer.size
    while entries.count > limits.entries || bytes > limits.bytes {
      guard let oldest = entries.min(by: { $0.value.used < $1.value.used }) else { break }
      entries[oldest.key] = nil
      bytes -= oldest.value.answer.size
    }
  }

  static func wallClockNanoseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
  }
}
