import FoundationEssentials

/// Where an item stands in a stage, as its task said.
public enum ItemStatus: String, Codable, Sendable, CaseIterable, Comparable {
  case started, done, failed, skipped

  public static func < (a: Self, b: Self) -> Bool {
    allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
  }
}

/// One line a task appended to `$ORCHESTRATE_ITEMS`, with what orchestrate
/// adds: the run, the task, the attempt and when it was read.
public struct ItemEvent: Sendable, Equatable {
  public var item: String
  public var stage: String
  public var status: ItemStatus
  /// Milliseconds since 1970, UTC: the ledger sorts and compares these.
  public var at: Int64
  public var run: String
  public var task: String
  public var attempt: Int
  public var error: String?
  public var size: Double?
  public var source: String?
  /// The task's free `attrs` object, as compact JSON text.
  public var attrs: String?

  public init(
    item: String, stage: String, status: ItemStatus, at: Int64, run: String, task: String,
    attempt: Int, error: String? = nil, size: Double? = nil, source: String? = nil,
    attrs: String? = nil
  ) {
    self.item = item
    self.stage = stage
    self.status = status
    self.at = at
    self.run = run
    self.task = task
    self.attempt = attempt
    self.error = error
    self.size = size
    self.source = source
    self.attrs = attrs
  }

  public var date: Date { Date(timeIntervalSince1970: Double(at) / 1000) }

  /// The state this event leaves its item's stage in.
  var state: ItemStageState {
    ItemStageState(
      stage: stage, status: status, at: at, run: run, task: task, attempt: attempt, error: error)
  }
}

/// An item's latest word in one stage: what the snapshot keeps.
public struct ItemStageState: Sendable, Equatable {
  public var stage: String
  public var status: ItemStatus
  public var at: Int64
  public var run: String
  public var task: String
  public var attempt: Int
  public var error: String?

  public var date: Date { Date(timeIntervalSince1970: Double(at) / 1000) }
}

/// The limits of what a task may report: an item id is data that reaches
/// terminals, files and metric labels, so it is bounded and printable.
public enum ItemLimits {
  public static let itemBytes = 256
  public static let errorCharacters = 500
  public static let sourceCharacters = 128
  public static let attrsBytes = 4096

  /// Why `id` cannot name an item, or nil.
  public static func itemProblem(_ id: String) -> String? {
    if id.isEmpty || id.utf8.count > itemBytes { return "must be 1 to \(itemBytes) bytes" }
    if id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
      return "must not hold control characters"
    }
    return nil
  }
}
