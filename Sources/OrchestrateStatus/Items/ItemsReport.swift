import FoundationEssentials

/// What `orchestrate items PIPELINE` shows, as a value: per stage the
/// counts of each status, the backlog before it and its failure rate; the
/// stuck items; the newest failures; and, when asked, a selection of items
/// or one item's history. Its JSON is docs/items.schema.json.
public struct ItemsReport: Encodable, Sendable {
  public var schemaVersion = 1
  public var pipeline: String
  public var generatedAt: Date
  public var items: Int
  public var stages: [StageRow]
  public var stuckAfterSeconds: Double
  public var stuckCount: Int
  /// The oldest stuck items (at most `shownStuck`).
  public var stuck: [ItemRef]
  public var failures: [ItemRef]
  /// Items the filters select, when any filter was given.
  public var selection: [ItemRef]?
  /// How many items the filters select (the selection may be cut by --limit).
  public var selectionCount: Int?
  /// `--item`: its every event, oldest first.
  public var history: [HistoryEvent]?
  /// `--item`, after rotation deleted old runs' events (`items.keep_events`):
  /// how many runs' events the history can no longer show.
  public var historyRemovedRuns: Int?

  public static let shownStuck = 20

  public struct StageRow: Encodable, Sendable {
    public var stage: String
    /// Named in the pipeline's `items.stages`.
    public var declared: Bool
    public var started: Int
    public var done: Int
    public var failed: Int
    public var skipped: Int
    /// Items whose latest completed stage is the one before (declared stages only).
    public var backlog: Int?
    /// failed / (done + failed), nil when neither.
    public var failureRate: Double?
  }

  public struct ItemRef: Encodable, Sendable {
    public var item: String
    public var stage: String
    public var status: ItemStatus
    public var at: Date
    public var run: String
    public var task: String
    public var attempt: Int?
    public var error: String?
  }

  public struct HistoryEvent: Encodable, Sendable {
    public var item: String
    public var stage: String
    public var status: ItemStatus
    public var at: Date
    public var run: String
    public var task: String
    public var attempt: Int
    public var error: String?
    public var size: Double?
    public var source: String?
    public var attrs: JSONValue?
  }

  /// What to select beyond the summary.
  public struct Filter: Sendable {
    public var stage: String?
    public var status: ItemStatus?
    public var item: String?
    /// Only states older than this.
    public var olderThan: Duration?
    /// Only items with no word at all in the stage after their selected one.
    public var nextStageMissing = false
    /// Rows of the selection kept (0: all).
    public var limit = 50

    public init() {}

    public var selects: Bool {
      stage != nil || status != nil || olderThan != nil || nextStageMissing
    }
  }

  public static func collect(
    pipeline: String, layout: RootLayout, settings: ItemSettings, filter: Filter,
    now: Date = Date()
  ) throws -> ItemsReport {
    let ledger = ItemLedger(layout: layout, pipeline: pipeline)
    let view = try ledger.load()
    let summary = view.summary
    let nowMs = Int64((now.timeIntervalSince1970 * 1000).rounded())
    let cutoff = nowMs - Int64(settings.stuckAfter.seconds * 1000)
    let stuck = summary.stuck(before: cutoff)
    var report = ItemsReport(
      pipeline: pipeline, generatedAt: now, items: summary.items,
      stages: stageRows(summary, settings: settings),
      stuckAfterSeconds: settings.stuckAfter.seconds, stuckCount: stuck.count,
      stuck: stuck.prefix(shownStuck).map {
        ItemRef(
          item: $0.item, stage: $0.stage, status: .started, at: date($0.at), run: $0.run,
          task: $0.task)
      },
      failures: summary.failures.map {
        ItemRef(
          item: $0.item, stage: $0.stage, status: .failed, at: date($0.at), run: $0.run,
          task: $0.task, error: $0.error)
      })
    if filter.selects {
      var selected: [ItemRef] = []
      var count = 0
      let older = filter.olderThan.map { nowMs - Int64($0.seconds * 1000) }
      view.forEachItem { item, states in
        for state in states {
          if let stage = filter.stage, state.stage != stage { continue }
          if let status = filter.status, state.status != status { continue }
          if let older, state.at >= older { continue }
          if filter.nextStageMissing {
            guard let next = settings.stage(after: state.stage),
              !states.contains(where: { $0.stage == next })
            else { continue }
          }
          count += 1
          selected.append(
            ItemRef(
              item: item, stage: state.stage, status: state.status, at: state.date,
              run: state.run, task: state.task, attempt: state.attempt, error: state.error))
        }
      }
      selected.sort { ($0.item, $0.stage) < ($1.item, $1.stage) }
      if filter.limit > 0 && selected.count > filter.limit {
        selected.removeSubrange(filter.limit...)
      }
      report.selection = selected
      report.selectionCount = count
    }
    if let item = filter.item {
      let removed = ledger.removedRuns(covered: summary.covered)
      if !removed.isEmpty { report.historyRemovedRuns = removed.count }
      report.history = ledger.history(of: item).map { event in
        HistoryEvent(
          item: event.item, stage: event.stage, status: event.status, at: event.date,
          run: event.run, task: event.task, attempt: event.attempt, error: event.error,
          size: event.size, source: event.source,
          attrs: event.attrs.flatMap {
            try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8))
          })
      }
    }
    return report
  }

  /// Declared stages in their order, then any other stage reported, by name.
  static func stageRows(_ summary: ItemSummary, settings: ItemSettings) -> [StageRow] {
    let others = summary.stagesSeen.filter { !settings.stages.contains($0) }
    return (settings.stages + others).map { stage in
      let (done, failed) = (summary.count(stage, .done), summary.count(stage, .failed))
      return StageRow(
        stage: stage, declared: settings.stages.contains(stage),
        started: summary.count(stage, .started), done: done, failed: failed,
        skipped: summary.count(stage, .skipped),
        backlog: summary.backlog(before: stage, settings: settings),
        failureRate: done + failed == 0 ? nil : Double(failed) / Double(done + failed))
    }
  }

  private static func date(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }
}
