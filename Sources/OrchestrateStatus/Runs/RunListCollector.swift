import FoundationEssentials

/// Selects the runs of a `RunFilter` from the status index alone: only the
/// runs' own fields are read (no task digests, no records), except the
/// records of runs that say `running`, to tell a live run from one whose
/// orchestrator is gone. Over years of runs this costs what a warm
/// `status --json` costs.
public enum RunListCollector {
  /// A pipeline named in the filter that the root does not know.
  public struct UnknownPipeline: Error, CustomStringConvertible {
    /// `no pipeline 'daly' (did you mean 'daily'?)`.
    public var description: String
  }

  public static func collect(layout: RootLayout, filter: RunFilter, now: Date = Date())
    throws(UnknownPipeline) -> RunList
  {
    try collect(layout: layout, filter: filter, now: now, loads: nil)
  }

  /// `loads`: index loads shared with the report's other pages.
  static func collect(
    layout: RootLayout, filter: RunFilter, now: Date, loads: SharedIndexLoads?
  ) throws(UnknownPipeline) -> RunList {
    for name in filter.pipelines {
      if let unknown = KnownPipelines.unknown(name, layout: layout) {
        throw UnknownPipeline(description: unknown)
      }
    }
    let names =
      filter.pipelines.isEmpty ? layout.pipelinesWithRecords() : unique(filter.pipelines)
    var matching = 0
    var selected: [RunList.Entry] = []
    var unreadable: [StatusIndex.Unreadable] = []
    for name in names {
      let directory = layout.metricsDirectory(pipeline: name)
      let contents =
        loads?.load(directory: directory, tasks: .newest(0))
        ?? StatusIndex.load(directory: directory, now: now, tasks: .newest(0))
      unreadable += contents.unreadable.map {
        .init(path: "metrics/\(name)/\($0.path)", reason: $0.reason)
      }
      let found = newest(
        contents.runs, pipeline: name, filter: filter,
        status: { shownStatus(of: $0, directory: directory) })
      matching += found.matching
      selected += found.runs
    }
    selected.sort { ($0.startedAt, $0.runId) > ($1.startedAt, $1.runId) }
    if let limit = filter.limit, selected.count > limit {
      selected.removeLast(selected.count - limit)
    }
    return RunList(
      generatedAt: now, root: layout.root, since: filter.since, until: filter.until,
      limit: filter.limit, matching: matching, runs: selected, unreadableFiles: unreadable)
  }

  /// One pipeline's matching runs, newest first, at most the filter's
  /// limit of them, and how many matched. `runs` are oldest first.
  static func newest(
    _ runs: [RunDigest], pipeline: String, filter: RunFilter,
    status: (RunDigest) -> RunStatus
  ) -> (runs: [RunList.Entry], matching: Int) {
    var kept: [RunList.Entry] = []
    var matching = 0
    for run in runs.reversed() {
      // Oldest last: nothing before `since` can follow.
      if let since = filter.since, run.startedAt < since.timeIntervalSince1970 { break }
      let shown = run.status == .running ? status(run) : run.status
      guard filter.admits(run, status: shown) else { continue }
      matching += 1
      if filter.limit.map({ kept.count < $0 }) ?? true {
        kept.append(RunList.Entry(run, pipeline: pipeline, status: shown))
      }
    }
    return (kept, matching)
  }

  /// `running`, unless its orchestrator is gone from this machine: then
  /// `abandoned`, as status calls it, until the next run settles its record.
  static func shownStatus(of run: RunDigest, directory: String) -> RunStatus {
    guard let record = RecordCoding.readRecord(at: "\(directory)/\(run.file)") else {
      return run.status
    }
    return ProcessIdentity(of: record).liveness() == .gone ? .abandoned : record.status
  }

  private static func unique(_ names: [String]) -> [String] {
    var seen: Set<String> = []
    return names.filter { seen.insert($0).inserted }
  }
}
