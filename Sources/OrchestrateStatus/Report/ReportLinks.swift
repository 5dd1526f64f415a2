/// Where a page's links lead. Pages sit at `index.html`,
/// `pipelines/<name>.html` (`<name>~<environment>.html` for each environment
/// it ran in) and `runs/<run_id>.html`, in a written report
/// and under `orchestrate serve` alike, so links between pages are the same
/// relative links in both; only log files are reached differently.
public struct ReportLinks: Sendable, Equatable {
  public enum Logs: Sendable, Equatable {
    /// The report sits inside the root: `prefix` leads from the report's
    /// directory to the root (`../` for `<root>/report`).
    case relative(prefix: String)
    /// The report sits elsewhere: pages show the `orchestrate logs` command.
    case command
    /// Served: the log API of `orchestrate serve`.
    case api
  }

  public var logs: Logs
  /// Runs that have a page (a written report has pages for recent runs
  /// only); nil when every run has one, as under `serve`.
  public var runPages: Set<String>?

  public init(logs: Logs, runPages: Set<String>? = nil) {
    self.logs = logs
    self.runPages = runPages
  }

  /// From a page one directory down (`pipelines/`, `runs/`).
  static let overview = "../index.html"

  /// The list of runs with its filters, from the overview: filtered by
  /// serve, or in the page by a written report's.
  var runList: String { "runs.html" }

  /// A pipeline's page: one for each environment it ran in
  /// (`pipelines/nightly~prod.html`; no name holds a `~`).
  static func pipeline(_ name: String, environment: String? = nil, fromOverview: Bool = false)
    -> String
  {
    (fromOverview ? "" : "../") + "pipelines/\(HTML.pathSegment(page(name, environment))).html"
  }

  /// The page's file name without `.html`.
  static func page(_ name: String, _ environment: String?) -> String {
    environment.map { "\(name)~\($0)" } ?? name
  }

  /// The pipeline and environment a page's file name (without `.html`) stands for.
  package static func pipeline(ofPage page: String) -> (name: String, environment: String?) {
    guard let mark = page.firstIndex(of: "~") else { return (page, nil) }
    return (String(page[..<mark]), String(page[page.index(after: mark)...]))
  }

  func run(_ runId: String, fromOverview: Bool = false) -> String? {
    if let runPages, !runPages.contains(runId) { return nil }
    return (fromOverview ? "" : "../") + "runs/\(HTML.pathSegment(runId)).html"
  }

  /// A link to one attempt's log from a run page, or the command that prints it.
  func log(run: String, task: String, attempt: Int, file: String?) -> (href: String?, text: String)
  {
    switch logs {
    case .relative(let prefix):
      guard let file else { return (nil, "no log") }
      let path = file.split(separator: "/").map { HTML.pathSegment(String($0)) }.joined(
        separator: "/")
      return ("../\(prefix)\(path)", "attempt \(attempt) log")
    case .api:
      return (
        "../api/runs/\(HTML.pathSegment(run))/logs/\(HTML.pathSegment(task))?attempt=\(attempt)",
        "attempt \(attempt) log"
      )
    case .command:
      return (nil, "orchestrate logs \(run) '\(task)' --attempt \(attempt)")
    }
  }
}
