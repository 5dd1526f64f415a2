/// The part of a crontab that belongs to one root directory, between
/// `# BEGIN orchestrate <root>` and `# END orchestrate <root>`: one entry
/// per pipeline, a comment naming it, then its line. Every line outside the
/// block is kept byte for byte.
public struct CrontabBlock {
  public var root: String

  public struct Entry: Equatable, Sendable {
    public var pipeline: String
    public var line: String

    public init(pipeline: String, line: String) {
      self.pipeline = pipeline
      self.line = line
    }
  }

  /// A crontab whose markers for this root are broken: editing it could
  /// lose someone's lines.
  public struct DamagedMarkers: Error, CustomStringConvertible {
    public var description: String
  }

  public init(root: String) {
    self.root = root
  }

  public var begin: String { "# BEGIN orchestrate \(root)" }
  public var end: String { "# END orchestrate \(root)" }
  static let entryPrefix = "# orchestrate pipeline "

  /// Adds or replaces the entries' pipelines; with `replacingAll`, the
  /// block holds exactly `entries` afterwards.
  public func installing(_ entries: [Entry], into crontab: String, replacingAll: Bool)
    throws(DamagedMarkers) -> String
  {
    let (lines, block) = try split(crontab)
    var kept = replacingAll ? [] : (block.map { parse(lines[$0]) } ?? [])
    for entry in entries {
      if let index = kept.firstIndex(where: { $0.pipeline == entry.pipeline }) {
        kept[index] = entry
      } else {
        kept.append(entry)
      }
    }
    return join(lines, block: block, entries: kept)
  }

  /// Removes the named pipelines' entries, or the whole block for nil.
  public func uninstalling(_ pipelines: [String]?, from crontab: String) throws(DamagedMarkers)
    -> String
  {
    let (lines, block) = try split(crontab)
    guard let block else { return crontab }
    let kept =
      pipelines.map { names in parse(lines[block]).filter { !names.contains($0.pipeline) } } ?? []
    return join(lines, block: block, entries: kept)
  }

  /// The entries now in the crontab's block.
  public func entries(in crontab: String) throws(DamagedMarkers) -> [Entry] {
    let (lines, block) = try split(crontab)
    return block.map { parse(lines[$0]) } ?? []
  }

  /// The crontab's lines (split on newlines, so that joining gives the
  /// same bytes) and the range of the block's marker lines, inclusive.
  private func split(_ crontab: String) throws(DamagedMarkers) -> ([Substring], ClosedRange<Int>?) {
    let lines = crontab.split(separator: "\n", omittingEmptySubsequences: false)
    let begins = lines.indices.filter { lines[$0] == begin }
    let ends = lines.indices.filter { lines[$0] == end }
    switch (begins.count, ends.count) {
    case (0, 0): return (lines, nil)
    case (1, 1) where begins[0] < ends[0]: return (lines, begins[0]...ends[0])
    default:
      throw DamagedMarkers(
        description: "the crontab's '\(begin)' and '\(end)' lines do not pair up; "
          + "fix them with crontab -e")
    }
  }

  private func parse(_ block: ArraySlice<Substring>) -> [Entry] {
    var entries: [Entry] = []
    for line in block.dropFirst().dropLast() {
      if line.hasPrefix(Self.entryPrefix) {
        entries.append(Entry(pipeline: String(line.dropFirst(Self.entryPrefix.count)), line: ""))
      } else if !entries.isEmpty && entries[entries.count - 1].line.isEmpty {
        entries[entries.count - 1].line = String(line)
      }
    }
    return entries
  }

  private func join(_ lines: [Substring], block: ClosedRange<Int>?, entries: [Entry]) -> String {
    let blockLines =
      entries.isEmpty
      ? [] : [begin] + entries.flatMap { [Self.entryPrefix + $0.pipeline, $0.line] } + [end]
    var result = lines.map(String.init)
    if let block {
      result.replaceSubrange(block, with: blockLines)
      // An empty crontab stays empty rather than a lone newline.
      if result == [""] { return "" }
    } else if !blockLines.isEmpty {
      // A crontab ends with a newline: the split leaves an empty last element.
      if result.last == "" { result.removeLast() }
      if result == [""] { result = [] }
      result += blockLines + [""]
    }
    return result.joined(separator: "\n")
  }
}
