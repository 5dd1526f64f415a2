import Dispatch
import FoundationEssentials

/// The rotation every run does of its own pipeline's logs once its record is
/// final, still holding the run lock. Problems are logged, never the run's:
/// its exit code stays what its tasks made it.
enum RunEndRotation {
  static func rotate(
    _ pipeline: Pipeline, layout: RootLayout, run: RunID, cancelled: Bool, events: EventLog
  ) {
    // Signals were the run's; now they only cut the housekeeping short,
    // leaving every run's logs whole for the next rotation.
    let stop = StopRequest()
    let trap = SignalTrap(queue: DispatchQueue(label: "orchestrate.rotation-signals")) {
      stop.request(signal: $0)
    }
    defer { trap.cancel() }
    var rotator = LogRotator(layout: layout, pipeline: pipeline.name, policy: pipeline.logPolicy)
    rotator.metricsDeleteAfter = pipeline.metricsDeleteAfter
    rotator.itemsKeepEvents = pipeline.itemsKeepEvents
    rotator.currentRun = run.text
    // A cancelled run is asked to end now: deleting is quick, compressing is not.
    rotator.compresses = !cancelled
    rotator.shouldStop = { stop.isRequested }
    rotator.onStep = { step in
      let line = "logs: " + RotationReport.describe(step, dryRun: false)
      if case .failed = step.outcome { events.problem(line) } else { events.log(line) }
    }
    let report = rotator.rotate()
    if report.stopped, let signal = stop.signal {
      events.log(
        "logs: rotation stopped by \(SignalName.of(signal)); "
          + "the rest is left for the next rotation")
    }
  }
}
