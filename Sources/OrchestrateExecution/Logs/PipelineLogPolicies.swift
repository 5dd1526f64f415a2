import FoundationEssentials

/// The log policy of each pipeline, for a rotation that is not part of a run:
/// read from the pipeline files in `<root>/pipelines/`, with the defaults for
/// a pipeline that has no file there.
public struct PipelineLogPolicies {
  public struct Found: Sendable {
    public var policy: LogPolicy
    /// `metrics.delete_after`; nil keeps every record.
    public var metricsDeleteAfter: Duration?
    /// `items.keep_events`; nil keeps every run's item events.
    public var itemsKeepEvents: Duration? = Pipeline.defaultItemsKeepEvents
    /// The file it came from; nil for the defaults.
    public var file: String?
  }

  private var byName: [String: Found] = [:]
  /// Files that did not load, by file name without extension.
  private var unreadable: [String: PipelineError] = [:]

  /// Loads every pipeline file in the directory once.
  public init(directory: String) {
    for name in PipelineLocator.pipelineFiles(in: directory).files {
      let file = "\(directory)/\(name)"
      let stem = PathName.droppingExtension(name)
      do {
        let pipeline = try PipelineLoader.load(file: file)
        // A file named after the pipeline wins over another that claims its name.
        if byName[pipeline.name] == nil || stem == pipeline.name {
          byName[pipeline.name] = Found(
            policy: pipeline.logPolicy, metricsDeleteAfter: pipeline.metricsDeleteAfter,
            itemsKeepEvents: pipeline.itemsKeepEvents, file: file)
        }
      } catch {
        unreadable[stem] = error
      }
    }
  }

  /// A pipeline whose own file does not load has no known policy: rotating
  /// it by the defaults could delete logs its file says to keep.
  public func policy(of pipeline: String) throws(PipelineError) -> Found {
    if let found = byName[pipeline] { return found }
    if let error = unreadable[pipeline] { throw error }
    return Found(policy: .standard, metricsDeleteAfter: nil, file: nil)
  }
}
