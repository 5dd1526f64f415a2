import Dispatch
import FoundationEssentials

/// Keeps a run's metrics file current without rewriting it for every event:
/// a change after a quiet spell is written at once, later ones are batched.
/// The spell grows with the cost of a write (at least `interval`, at least
/// ten times the last write), so huge runs spend little time rewriting.
/// Not thread-safe: use it from the queue it is given.
package final class MetricsWriter: @unchecked Sendable {
  package let path: String
  private let queue: DispatchQueue
  private let interval: Duration
  private let snapshot: () -> RunRecord
  private let onError: (AtomicFile.WriteError) -> Void
  /// When the file was last written (or a write was tried).
  package private(set) var lastWrite: ContinuousClock.Instant?
  private var lastCost: Duration = .zero
  private var pending: DispatchWorkItem?
  private var lastErrorReason: String?
  /// Disk set aside for the final record; grown as the record grows.
  private var reserve: ReservedSpace?

  package init(
    path: String, queue: DispatchQueue, interval: Duration = .seconds(1),
    reserve: ReservedSpace? = nil, snapshot: @escaping () -> RunRecord,
    onError: @escaping (AtomicFile.WriteError) -> Void
  ) {
    self.path = path
    self.reserve = reserve
    self.queue = queue
    self.interval = interval
    self.snapshot = snapshot
    self.onError = onError
  }

  /// The record changed: write it now, or soon if a write just happened.
  package func changed() {
    guard pending == nil else { return }
    let now = ContinuousClock.now
    let spacing = max(interval, lastCost * 10)
    if let lastWrite, now - lastWrite < spacing {
      let work = DispatchWorkItem { [weak self] in self?.flush() }
      pending = work
      queue.asyncAfter(deadline: .now() + ((lastWrite + spacing) - now).seconds, execute: work)
    } else {
      flush()
    }
  }

  /// Writes the current state now. False when the write failed; the file then
  /// still holds the previous complete state.
  @discardableResult
  package func flush() -> Bool {
    pending?.cancel()
    pending = nil
    let start = ContinuousClock.now
    defer {
      lastWrite = .now
      lastCost = ContinuousClock.now - start
    }
    var record = snapshot()
    record.updatedAt = Date()
    do {
      let data = RecordJSON.encode(record)
      try AtomicFile.write(data, to: path)
      lastErrorReason = nil
      // The final record is this one plus the rest of the run: keep room
      // for twice its size.
      if let reserve, data.count * 2 > reserve.bytes {
        reserve.grow(to: data.count * 2 + Self.reserveSlack)
      }
      return true
    } catch {
      // One report per distinct problem: a full disk must not flood the log.
      if error.reason != lastErrorReason { onError(error) }
      lastErrorReason = error.reason
      return false
    }
  }

  /// Room for a record's growth beyond twice its current size.
  package static let reserveSlack = 64 << 10

  /// Writes the final record into the reserved space (or, without one, as
  /// any other write). Nil once it is on disk; else why not.
  package func writeFinal() -> AtomicFile.WriteError? {
    pending?.cancel()
    pending = nil
    var record = snapshot()
    record.updatedAt = Date()
    let data = RecordJSON.encode(record)
    if let reserve {
      self.reserve = nil
      if (try? reserve.writeFinal(data, to: path)) != nil { return nil }
    }
    do {
      try AtomicFile.write(data, to: path)
      return nil
    } catch {
      return error
    }
  }
}
