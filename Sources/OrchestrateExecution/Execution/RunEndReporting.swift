import FoundationEssentials

/// The report pages a run updates once its record is final (`report: {path:
/// DIR}` in the pipeline, or `--report DIR`). Pages are rendered a layer above
/// the run, so the command that starts a run hands it the one that does.
package protocol RunEndReporting: Sendable {
  /// Whose task digests the update reads, as of the run's start: the run
  /// loads them with the status index it reads then, for the update to reuse.
  func taskSelection(start: Date) -> IndexFile.TaskSelection

  /// Writes the pages into `directory`. It never fails the run: what went
  /// wrong is a problem in `events`. `held` is the index of the run's
  /// pipeline, current under the run's lock.
  func update(
    _ directory: String, layout: RootLayout, run: String, held: HeldIndex, events: EventLog)
}

extension PipelineRun {
  /// `option` wins (`--report`); else the pipeline's `report.path`, relative
  /// to the root; nil when neither is set.
  public static func reportDirectory(option: String?, pipeline: Pipeline, layout: RootLayout)
    -> String?
  {
    option ?? pipeline.reportPath.map(layout.absolute)
  }
}
