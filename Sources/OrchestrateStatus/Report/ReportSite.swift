import FoundationEssentials
import Glibc

/// Writes the static report: `index.html`, `pipelines/<name>.html` and
/// `runs/<run_id>.html` for each pipeline's newest runs. A page is written
/// only when its text changed, so an update after a run rewrites just the
/// pages that run touched and leaves the others (and their times) alone.
public struct ReportSite: Sendable {
  public let source: ReportSource
  public let directory: String

  public init(source: ReportSource, directory: String) {
    self.source = source
    self.directory = URL(fileURLWithPath: directory).standardizedFileURL.path
  }

  public struct Outcome: Sendable, Equatable {
    public var written: [String] = []
    public var unchanged = 0
  }

  public enum Failure: Error, CustomStringConvertible {
    case unknownPipeline(String, known: [String])
    case unknownRun(String)
    case cannotWrite(String, String)

    public var description: String {
      switch self {
      case .unknownPipeline(let name, let known):
        "no runs of pipeline '\(name)' under metrics/ (known: \(known.isEmpty ? "none" : known.joined(separator: ", ")))"
      case .unknownRun(let run): "no run record '\(run)' under metrics/"
      case .cannotWrite(let path, let reason): "cannot write \(path): \(reason)"
      }
    }
  }

  /// Writes the overview, the pages of `pipelines` (all when nil) and their
  /// newest runs; with `run`, only that run's page, its pipeline's page and
  /// the overview (the update at the end of a run).
  public func write(pipelines: [String]? = nil, run: String? = nil) throws(Failure) -> Outcome {
    let known = source.layout.pipelinesWithRecords()
    for name in pipelines ?? [] where !known.contains(name) {
      throw .unknownPipeline(name, known: known)
    }
    if let problem = FileSystem.makeDirectories(directory) {
      throw .cannotWrite(problem.path, problem.reason)
    }
    // One writer at a time: the overview of a run that ends while another
    // run's update is under way must not be replaced by an older one.
    let lock = DirectoryLock(directory: directory)
    defer { lock.release() }
    var outcome = Outcome()
    var selected = pipelines ?? known
    var runView: RunView?
    if let run {
      guard let view = source.run(run) else { throw .unknownRun(run) }
      runView = view
      selected = [view.pipeline]
    }
    let overview = source.overview(pipelines: pipelines)
    // A page for each environment a selected pipeline ran in.
    let histories = overview.report.pipelines.filter { selected.contains($0.name) }.compactMap {
      source.pipeline($0.name, environment: $0.environment, status: $0)
    }
    // Every run that will have a page once this write is done.
    var pages = existingRunPages()
    if let runView {
      pages.insert(runView.runId)
    } else {
      for history in histories { pages.formUnion(history.records.map(\.runId)) }
    }
    let links = ReportLinks(logs: logLinks(), runPages: pages)
    try put("index.html", OverviewPage.render(overview, links: links), &outcome)
    var newest = RunFilter()
    newest.limit = WrittenRunsPage.limit
    if let list = try? RunListCollector.collect(
      layout: source.layout, filter: newest, now: source.now, loads: source.loads)
    {
      try put(
        "runs.html",
        WrittenRunsPage.render(list, pipelines: known, links: links, now: source.now), &outcome)
    }
    // A pipeline that now runs only in environments has a page for each of
    // them: its page of one (an older report's) would be linked from nowhere.
    for name in Set(histories.map(\.status.name))
    where !histories.contains(where: { $0.status.name == name && $0.status.environment == nil }) {
      unlink("\(directory)/pipelines/\(ReportLinks.page(name, nil)).html")
    }
    for history in histories {
      try put(
        "pipelines/\(ReportLinks.page(history.status.name, history.status.environment)).html",
        PipelinePage.render(history, links: links, now: source.now), &outcome)
      let views =
        runView.map { [$0] }
        ?? history.records.map { record in
          RunView(
            pipeline: history.status.name, runId: record.runId, record: record,
            running: history.status.running.first { $0.runId == record.runId })
        }
      for view in views {
        try put(
          "runs/\(view.runId).html", RunPage.render(view, links: links, now: source.now),
          &outcome)
      }
    }
    return outcome
  }

  /// Relative links to `logs/` when the report sits inside the root.
  func logLinks() -> ReportLinks.Logs {
    let root = source.layout.root
    guard directory.hasPrefix(root + "/") else { return .command }
    let depth = directory.dropFirst(root.count + 1).split(separator: "/").count
    return .relative(prefix: String(repeating: "../", count: depth))
  }

  func existingRunPages() -> Set<String> {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(directory)/runs")) ?? []
    return Set(names.filter { $0.hasSuffix(".html") }.map { String($0.dropLast(5)) })
  }

  private func put(_ relative: String, _ text: String, _ outcome: inout Outcome) throws(Failure) {
    let path = "\(directory)/\(relative)"
    let data = Data(text.utf8)
    if FileManager.default.contents(atPath: path) == data {
      outcome.unchanged += 1
      return
    }
    let folder = PathName.parent(path)
    if let problem = FileSystem.makeDirectories(folder) {
      throw .cannotWrite(problem.path, problem.reason)
    }
    // `-o DIR` itself may be a link its owner made; a folder inside it may not.
    if folder != directory, let problem = FileSystem.untrustedDirectory(folder) {
      throw .cannotWrite(folder, "it \(problem)")
    }
    do {
      try AtomicFile.write(data, to: path)
    } catch {
      throw .cannotWrite(path, error.reason)
    }
    outcome.written.append(relative)
  }
}
