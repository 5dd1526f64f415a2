import FoundationEssentials
import Glibc

/// Builds the status report of a root directory from its metrics files.
public enum StatusCollector {
  /// `logicalDate`: only the runs for that date (`status --date`);
  /// `environment`: only that environment's runs (`status -e prod`).
  public static func collect(
    layout: RootLayout, pipeline: String? = nil, windowDays: Int, now: Date = Date(),
    logicalDate: String? = nil, environment: String? = nil
  ) -> StatusReport {
    collect(
      layout: layout, pipeline: pipeline, windowDays: windowDays, now: now,
      logicalDate: logicalDate, environment: environment, loads: nil)
  }

  /// `loads`: index loads shared with other readers (the report's pages).
  static func collect(
    layout: RootLayout, pipeline: String? = nil, windowDays: Int, now: Date,
    logicalDate: String? = nil, environment: String? = nil, loads: SharedIndexLoads?
  ) -> StatusReport {
    let withRecords = layout.pipelinesWithRecords()
    // Pipelines of pipelines/ that never ran are judged by their files.
    let declared = DeclaredPipelines.scan(layout: layout, known: Set(withRecords))
    let selected = declared.pipelines.filter { pipeline == nil || pipeline == $0.name }
    let names = pipeline.map { name in selected.isEmpty ? [name] : [] } ?? withRecords
    var unreadable: [StatusIndex.Unreadable] = pipeline == nil ? declared.unreadable : []
    var pipelines = selected.filter { _ in environment == nil }.map { file in
      PipelineAssessment(
        name: file.name, runs: [], now: now, windowDays: windowDays, record: { _ in nil },
        declared: file
      ).assess()
    }
    for name in names {
      let directory = layout.metricsDirectory(pipeline: name)
      // Task statistics cover the window; baselines the newest runs.
      let selection = taskSelection(now: now, windowDays: windowDays)
      let contents =
        loads?.load(directory: directory, tasks: selection)
        ?? StatusIndex.load(directory: directory, now: now, tasks: selection)
      // Relative to the root: short enough to name in one line.
      unreadable += contents.unreadable.map {
        .init(path: "metrics/\(name)/\($0.path)", reason: $0.reason)
      }
      let decoder = RecordCoding.decoder()
      var runs = contents.runs
      if let logicalDate {
        runs = runs.filter { LogicalDateField.read("\(directory)/\($0.file)") == logicalDate }
      }
      // Each environment apart: dev runs never judge prod. One only ever
      // run by hand beside a scheduled one owes no runs.
      // One environment, the common case, is not copied into a group of its own.
      let groups =
        runs.allSatisfy({ $0.environment == runs.first?.environment })
        ? (runs.first.map { [$0.environment: runs] } ?? [:])
        : Dictionary(grouping: runs, by: \.environment)
      for group in groups.keys.sorted(by: { ($0 ?? "") < ($1 ?? "") }) {
        guard environment == nil || group == environment else { continue }
        var assessment = PipelineAssessment(
          name: name, runs: groups[group]!, now: now, windowDays: windowDays,
          record: { RecordCoding.readRecord(at: "\(directory)/\($0.file)", decoder: decoder) },
          settle: { AbandonedRuns.reconstruct($0, layout: layout) })
        assessment.environment = group
        assessment.expectsRuns = groups.count == 1 || groups[group]!.contains(where: \.scheduled)
        var status = assessment.assess()
        // The items are the pipeline's, whichever environment ran it: told once.
        if group == groups.keys.min(by: { ($0 ?? "") < ($1 ?? "") }),
          let items = ItemsHealth.read(layout: layout, pipeline: name, now: now)
        {
          status.items = items
          status.health = HealthRules.judge(status, now: now)
        }
        pipelines.append(status)
      }
      if runs.isEmpty && environment == nil {
        let assessment = PipelineAssessment(
          name: name, runs: [], now: now, windowDays: windowDays, record: { _ in nil },
          declared: contents.runs.isEmpty
            ? DeclaredPipelines.declared(named: name, layout: layout) : nil)
        pipelines.append(assessment.assess())
      }
    }
    // Problems first, as the report puts them; then by name.
    pipelines.sort {
      ($0.health.level, $1.label) > ($1.health.level, $0.label)
    }
    let problems = pipelines.flatMap { status in
      status.health.problems.map {
        Health.Problem(level: $0.level, message: "\(status.label): \($0.message)")
      }
    }
    let health =
      pipelines.isEmpty
      ? Health(problems: [
        .init(level: .unknown, message: "no metrics in \(layout.metricsDirectory)")
      ])
      : Health(problems: problems)
    return StatusReport(
      generatedAt: now, root: layout.root, windowDays: windowDays, health: health,
      pipelines: pipelines, unreadableFiles: unreadable)
  }

  static func taskSelection(now: Date, windowDays: Int) -> IndexFile.TaskSelection {
    .newest(
      2 * PipelineAssessment.historyRuns,
      since: PipelineAssessment.windowStart(now: now, days: windowDays))
  }
}

/// The `logical_date` of a record, decoded alone: the status index does not
/// keep it, and only `status --date` asks.
enum LogicalDateField: Decodable {
  case date(String?)

  enum CodingKeys: String, CodingKey {
    case logicalDate = "logical_date"
  }

  init(from decoder: Decoder) throws {
    self = .date(
      try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(
        String.self, forKey: .logicalDate))
  }

  static func read(_ path: String) -> String? {
    guard let data = FileManager.default.contents(atPath: path),
      case .date(let date)? = try? JSONDecoder().decode(Self.self, from: data)
    else { return nil }
    return date
  }
}
