import FoundationEssentials

/// Follows `$ORCHESTRATE_ITEMS`, the file a task appends item lines to:
/// `{"item": "GSE1234", "stage": "fetched", "status": "done"}`. Each line is
/// checked and stamped with the time it was read; the events are held until
/// the attempt ends, when they are committed to the ledger in one block.
final class ItemReportReader {
  let path: String
  let run: String
  let task: String
  let attempt: Int
  private var reader: LineReader
  private(set) var events: [ItemEvent] = []
  private(set) var malformedLines = 0

  /// More than any attempt should report; the rest are counted as malformed.
  static let maximumEvents = 2_000_000

  init(path: String, run: String, task: String, attempt: Int) {
    self.path = path
    self.run = run
    self.task = task
    self.attempt = attempt
    reader = LineReader(path: path)
  }

  /// Reads what was appended since the last call.
  func poll(now: Date = Date()) {
    let at = Int64((now.timeIntervalSince1970 * 1000).rounded())
    for line in reader.readNewLines(skippingTo: nil) {
      guard events.count < Self.maximumEvents,
        let event = Self.event(line, at: at, run: run, task: task, attempt: attempt)
      else {
        malformedLines += 1
        continue
      }
      events.append(event)
    }
  }

  /// Everything the task wrote, read to the end (a poll reads a few MiB).
  func drain(now: Date = Date()) {
    var before = -1
    while before != events.count + malformedLines {
      before = events.count + malformedLines
      poll(now: now)
    }
  }

  /// A line as the protocol says, or nil: `item` and `stage` as names allow,
  /// `status` one of started, done, failed, skipped; optional `error`
  /// (text), `size` (a number), `source` (text), `attrs` (an object).
  static func event(_ line: Data, at: Int64, run: String, task: String, attempt: Int) -> ItemEvent?
  {
    if let fields = line.withUnsafeBytes({ ItemLineScanner.scan($0.bindMemory(to: UInt8.self)) }) {
      guard let item = fields.item, ItemLimits.itemProblem(item) == nil,
        let stage = fields.stage, ItemSettings.stageProblem(stage) == nil,
        let status = fields.status.flatMap(ItemStatus.init(rawValue:)),
        fields.size?.isFinite ?? true
      else { return nil }
      return ItemEvent(
        item: item, stage: stage, status: status, at: at, run: run, task: task, attempt: attempt,
        error: fields.error.map { String($0.prefix(ItemLimits.errorCharacters)) },
        size: fields.size,
        source: fields.source.map { String($0.prefix(ItemLimits.sourceCharacters)) })
    }
    return decoded(line, at: at, run: run, task: task, attempt: attempt)
  }

  /// The same line read by Foundation's decoder: any JSON the scanner passes over.
  static func decoded(_ line: Data, at: Int64, run: String, task: String, attempt: Int)
    -> ItemEvent?
  {
    guard let object = try? JSONDecoder().decode([String: JSONValue].self, from: line),
      let item = object["item"]?.string, ItemLimits.itemProblem(item) == nil,
      let stage = object["stage"]?.string, ItemSettings.stageProblem(stage) == nil,
      let statusText = object["status"]?.string, let status = ItemStatus(rawValue: statusText)
    else { return nil }
    var event = ItemEvent(
      item: item, stage: stage, status: status, at: at, run: run, task: task, attempt: attempt)
    switch object["error"] {
    case .string(let error)?: event.error = String(error.prefix(ItemLimits.errorCharacters))
    case nil, .null?: break
    default: return nil
    }
    switch object["size"] {
    case .number(let size)? where size.isFinite: event.size = size
    case nil, .null?: break
    default: return nil
    }
    switch object["source"] {
    case .string(let source)?: event.source = String(source.prefix(ItemLimits.sourceCharacters))
    case nil, .null?: break
    default: return nil
    }
    switch object["attrs"] {
    case .object(let attrs)?:
      let encoder = JSONEncoder()
      encoder.outputFormatting = .sortedKeys
      guard let data = try? encoder.encode(attrs), data.count <= ItemLimits.attrsBytes else {
        return nil
      }
      event.attrs = String(decoding: data, as: UTF8.self)
    case nil, .null?: break
    default: return nil
    }
    return event
  }
}
