import FoundationEssentials

/// What the views and the health checks need of a whole ledger, kept in the
/// snapshot so that none of them reads every item: counts per stage and
/// status, how many items have each stage as their latest completed one,
/// the items waiting in `started`, and the newest failures.
public struct ItemSummary: Sendable, Equatable {
  public var items = 0
  /// Stage → status → items whose latest word in that stage is the status.
  public var counts: [String: [ItemStatus: Int]] = [:]
  /// Stage → items whose most recent `done` is in that stage.
  public var latestDone: [String: Int] = [:]
  /// Items whose latest word in a stage is `started`, by "item\tstage".
  public var started: [String: StartedItem] = [:]
  /// Items whose latest word in a stage is `failed`, newest first (at most `keptFailures`).
  public var failures: [ItemFailure] = []
  /// Segment file → bytes of it the snapshot holds.
  public var covered: [String: Int64] = [:]
  /// The `items:` settings of the run that wrote the snapshot, for status.
  public var settings: ItemSettings?
  /// Which full snapshot this is, or which one a recent layer sits on.
  public var generation: Int64 = 0

  public static let keptFailures = 20

  public init() {}

  public struct StartedItem: Sendable, Equatable {
    public var item: String
    public var stage: String
    public var at: Int64
    public var run: String
    public var task: String
  }

  public struct ItemFailure: Sendable, Equatable {
    public var item: String
    public var stage: String
    public var at: Int64
    public var run: String
    public var task: String
    public var error: String?
  }

  /// Every stage named in counts, sorted by name.
  public var stagesSeen: [String] { counts.keys.sorted() }

  public func count(_ stage: String, _ status: ItemStatus) -> Int {
    counts[stage]?[status] ?? 0
  }

  /// Items whose latest completed stage is the one before `stage`.
  public func backlog(before stage: String, settings: ItemSettings) -> Int? {
    settings.stage(before: stage).map { latestDone[$0] ?? 0 }
  }

  /// Items `started` in a stage before `cutoff` (ms since 1970), oldest first.
  public func stuck(before cutoff: Int64) -> [StartedItem] {
    started.values.filter { $0.at < cutoff }.sorted { ($0.at, $0.item) < ($1.at, $1.item) }
  }

  /// The stage with the most recent `done` among `states`.
  static func latestDone(_ states: [ItemStageState]) -> String? {
    states.filter { $0.status == .done }.max { ($0.at, $0.stage) < ($1.at, $1.stage) }?.stage
  }

  mutating func add(item: String, states: [ItemStageState]) {
    guard !states.isEmpty else { return }
    items += 1
    for state in states {
      counts[state.stage, default: [:]][state.status, default: 0] += 1
      switch state.status {
      case .started:
        started["\(item)\t\(state.stage)"] = StartedItem(
          item: item, stage: state.stage, at: state.at, run: state.run, task: state.task)
      case .failed:
        noteFailure(
          ItemFailure(
            item: item, stage: state.stage, at: state.at, run: state.run, task: state.task,
            error: state.error))
      case .done, .skipped: break
      }
    }
    if let stage = Self.latestDone(states) { latestDone[stage, default: 0] += 1 }
  }

  mutating func remove(item: String, states: [ItemStageState]) {
    guard !states.isEmpty else { return }
    items -= 1
    for state in states {
      counts[state.stage, default: [:]][state.status, default: 0] -= 1
      if counts[state.stage]?[state.status] == 0 { counts[state.stage]?[state.status] = nil }
      if counts[state.stage]?.isEmpty == true { counts[state.stage] = nil }
      switch state.status {
      case .started: started["\(item)\t\(state.stage)"] = nil
      case .failed: failures.removeAll { $0.item == item && $0.stage == state.stage }
      case .done, .skipped: break
      }
    }
    if let stage = Self.latestDone(states) {
      latestDone[stage, default: 0] -= 1
      if latestDone[stage] == 0 { latestDone[stage] = nil }
    }
  }

  private mutating func noteFailure(_ failure: ItemFailure) {
    // Kept sorted, newest first, and short: a ledger of a million failed
    // items keeps twenty of them here.
    if failures.count >= Self.keptFailures, let last = failures.last, last.at >= failure.at {
      return
    }
    let index = failures.firstIndex { $0.at < failure.at } ?? failures.endIndex
    failures.insert(failure, at: index)
    if failures.count > Self.keptFailures { failures.removeLast() }
  }
}
