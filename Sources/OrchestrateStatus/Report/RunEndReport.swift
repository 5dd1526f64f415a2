import Dispatch
import FoundationEssentials

/// The report update a run makes once its record is final (`report: {path:
/// DIR}` in the pipeline, or `--report DIR`): its own page, its pipeline's
/// page and the overview, each rewritten only when its text changed.
///
/// The run is over by then, so the update never changes its exit code: a
/// failure is a problem line in the event log and the run's report, and the
/// update gets `deadline` at most (a hung network file system must not hold
/// a nightly run and its lock); what it did not write, `orchestrate report`
/// writes later.
package struct RunEndReport: RunEndReporting {
  package static let deadline: TimeInterval = 2
  /// Statistics on the pages cover this many days, as `orchestrate report`'s default.
  static let windowDays = 7

  package init() {}

  package func taskSelection(start: Date) -> IndexFile.TaskSelection {
    ReportSource.taskSelection(now: start, windowDays: Self.windowDays)
  }

  package func update(
    _ directory: String, layout: RootLayout, run: String, held: HeldIndex, events: EventLog
  ) {
    let site = ReportSite(
      source: ReportSource(layout: layout, windowDays: Self.windowDays), directory: directory)
    let index = "\(site.directory)/index.html"
    let finished = DispatchSemaphore(value: 0)
    let result = UpdateResult()
    let started = DispatchTime.now()
    BackgroundThread.start {
      site.source.reuse(held)
      result.set(Result { () throws(ReportSite.Failure) in try site.write(run: run) })
      finished.signal()
    }
    // A signal now only cuts the wait short: the run's record is final.
    let trap = SignalTrap(queue: DispatchQueue(label: "orchestrate.report-signals")) { signal in
      result.interrupt(signal)
      finished.signal()
    }
    defer { trap.cancel() }
    _ = finished.wait(timeout: started + Self.deadline)
    let milliseconds =
      Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
    switch (result.value, result.signal) {
    case (.success(let outcome)?, _):
      events.log(
        "report: \(outcome.written.count) page(s) written, \(outcome.unchanged) unchanged in "
          + String(printf: "%.1f ms", milliseconds) + ": \(index)")
    case (.failure(let error)?, _):
      events.problem("report: \(index) not updated: \(error)")
    case (nil, let signal?):
      events.problem(
        "report: update of \(index) stopped by \(SignalName.of(signal)); "
          + "`orchestrate report --root \(layout.root) -o \(site.directory)` brings it up to date")
    case (nil, nil):
      events.problem(
        "report: \(index) not updated within \(Int(Self.deadline))s; `orchestrate report --root \(layout.root) -o \(site.directory)` brings it up to date"
      )
    }
  }

  /// What the writing thread hands over, if it finishes in time.
  private final class UpdateResult: @unchecked Sendable {
    private let lock = Lock()
    private var stored: Result<ReportSite.Outcome, ReportSite.Failure>?
    private var received: Int32?

    var value: Result<ReportSite.Outcome, ReportSite.Failure>? { lock.withLock { stored } }
    var signal: Int32? { lock.withLock { received } }

    func set(_ value: Result<ReportSite.Outcome, ReportSite.Failure>) {
      lock.withLock { stored = value }
    }

    func interrupt(_ signal: Int32) {
      lock.withLock { received = signal }
    }
  }
}
