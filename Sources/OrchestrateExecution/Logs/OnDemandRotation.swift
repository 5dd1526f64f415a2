import FoundationEssentials
import Glibc

/// `orchestrate rotate`: every pipeline under `logs/` (or one), each by its
/// own policy, each under its run lock so that a run never races a rotation.
public enum OnDemandRotation {
  public struct UnknownPipeline: Error, CustomStringConvertible {
    public var pipeline: String
    public var logsDirectory: String
    public var known: [String]
    public var description: String {
      "no logs of pipeline '\(pipeline)' in \(logsDirectory)"
        + (known.isEmpty ? " (it holds none)" : " (found: \(known.joined(separator: ", ")))")
    }
  }

  /// Rotates and returns one report per pipeline. `onStep` sees each
  /// pipeline's steps as they happen.
  public static func rotate(
    layout: RootLayout, only pipeline: String? = nil, dryRun: Bool, now: Date = Date(),
    shouldStop: @escaping () -> Bool = { false },
    onStep: @escaping (String, RotationReport.Step) -> Void = { _, _ in }
  ) throws(UnknownPipeline) -> [RotationReport] {
    let known = PipelineLogDirectory.pipelines(in: layout)
    if let pipeline, !known.contains(pipeline) {
      throw UnknownPipeline(pipeline: pipeline, logsDirectory: layout.logsDirectory, known: known)
    }
    let policies = PipelineLogPolicies(directory: "\(layout.root)/pipelines")
    var reports: [RotationReport] = []
    for name in pipeline.map({ [$0] }) ?? known {
      if shouldStop() { break }
      var report = RotationReport(pipeline: name, dryRun: dryRun)
      let found: PipelineLogPolicies.Found
      do {
        found = try policies.policy(of: name)
      } catch {
        report.failure = "its pipeline file does not load, so its log policy is unknown: \(error)"
        reports.append(report)
        continue
      }
      // A dry run writes nothing, not even the lock file.
      var lock: RunLock?
      if !dryRun {
        do {
          lock = try takeLock(layout: layout, pipeline: name)
        } catch {
          if case .held = error {
            report.skipped = error.description
          } else {
            report.failure = error.description
          }
          reports.append(report)
          continue
        }
      }
      if lock != nil {
        // A dead run's logs hold its journal: settle it before they are archived.
        let directory = layout.metricsDirectory(pipeline: name)
        StaleTemporaryFiles.remove(in: directory)
        _ = AbandonedRuns.settle(
          StatusIndex.load(directory: directory, tasks: .newest(0)).runs, pipeline: name,
          layout: layout)
      }
      var rotator = LogRotator(layout: layout, pipeline: name, policy: found.policy)
      rotator.metricsDeleteAfter = found.metricsDeleteAfter
      rotator.itemsKeepEvents = found.itemsKeepEvents
      rotator.now = now
      rotator.dryRun = dryRun
      rotator.shouldStop = shouldStop
      rotator.onStep = { onStep(name, $0) }
      reports.append(withExtendedLifetime(lock) { rotator.rotate() })
    }
    return reports
  }

  private static func takeLock(layout: RootLayout, pipeline: String) throws(RunLock.Failure)
    -> RunLock
  {
    let directory = layout.metricsDirectory(pipeline: pipeline)
    if let problem = FileSystem.makeDirectories(directory) {
      throw .unusable(path: problem.path, reason: problem.reason)
    }
    return try RunLock(
      path: layout.lockFile(pipeline: pipeline), pipeline: pipeline,
      holder: "orchestrate rotate (pid \(getpid()), since \(Timestamp.format(Date())))")
  }
}
