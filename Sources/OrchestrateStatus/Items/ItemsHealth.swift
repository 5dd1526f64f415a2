import FoundationEssentials

/// The items' part of a pipeline's status: how many are stuck and each
/// stage's failure rate, judged by the `items:` settings of the run that
/// last wrote the ledger's snapshot. Read from the snapshot's summary and
/// the events since, never from every item.
public struct ItemsHealth: Codable, Sendable {
  public var items: Int
  public var stuck: Int
  public var stuckAfterSeconds: Double
  public var alertStuckOver: Int
  public var maxFailureRate: Double
  public var stages: [Stage]

  public struct Stage: Codable, Sendable {
    public var stage: String
    public var started: Int
    public var done: Int
    public var failed: Int
    public var skipped: Int
    public var backlog: Int?
    public var failureRate: Double?
  }

  /// Failure rates are judged over at least this many finished items.
  public static let minimumItemsForFailureRate = 10

  /// nil when the pipeline has no ledger (or it cannot be read: `items`
  /// says why).
  public static func read(layout: RootLayout, pipeline: String, now: Date) -> ItemsHealth? {
    let ledger = ItemLedger(layout: layout, pipeline: pipeline)
    guard ledger.exists, let view = try? ledger.load() else { return nil }
    let summary = view.summary
    let settings = summary.settings ?? ItemSettings()
    let nowMs = Int64((now.timeIntervalSince1970 * 1000).rounded())
    let stuck = summary.stuck(before: nowMs - Int64(settings.stuckAfter.seconds * 1000)).count
    return ItemsHealth(
      items: summary.items, stuck: stuck, stuckAfterSeconds: settings.stuckAfter.seconds,
      alertStuckOver: settings.alertStuckOver, maxFailureRate: settings.maxFailureRate,
      stages: ItemsReport.stageRows(summary, settings: settings).map {
        Stage(
          stage: $0.stage, started: $0.started, done: $0.done, failed: $0.failed,
          skipped: $0.skipped, backlog: $0.backlog, failureRate: $0.failureRate)
      })
  }

  /// What status says of them: CRITICAL for too many stuck, WARNING for a
  /// stage failing too often.
  var problems: [Health.Problem] {
    var problems: [Health.Problem] = []
    if stuck > alertStuckOver {
      problems.append(
        .init(
          level: .critical,
          message:
            "\(stuck) item\(stuck == 1 ? "" : "s") stuck: started over "
            + "\(DurationDisplay.summary(stuckAfterSeconds)) ago (alert_stuck_over \(alertStuckOver))"
        ))
    }
    for stage in stages {
      guard let rate = stage.failureRate,
        stage.done + stage.failed >= Self.minimumItemsForFailureRate,
        rate > maxFailureRate
      else { continue }
      problems.append(
        .init(
          level: .warning,
          message:
            "stage \(stage.stage): \(stage.failed) of \(stage.done + stage.failed) items failed "
            + "(\(HealthRules.percent(rate))), over max_failure_rate \(HealthRules.percent(maxFailureRate))"
        ))
    }
    return problems
  }
}
