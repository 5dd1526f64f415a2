/// The part of a crontab that belongs to one root directory, between
/// `# BEGIN orchestrate <root>` and `# END orchestrate <root>`: one entry
/// per pipeline (and at most one watchdog), a comment naming it, then its
/// line. Every line outside the block is kept byte for byte; a line inside
/// it that a person edited or added is kept too, unless forced.
public struct CrontabBlock {
  public var root: String

  /// What an entry's line runs.
  public enum Subject: Hashable, Sendable, CustomStringConvertible {
    case pipeline(String)
    /// `status --notify` for the whole root, every ten minutes.
    case watchdog

    public var description: String {
      switch self {
      case .pipeline(let name): "pipeline \(name)"
      case .watchdog: "watchdog"
      }
    }
  }

  public struct Entry: Equatable, Sendable {
    public var subject: Subject
    public var line: String
    /// The run's arguments the command line of `schedule --install` gave
    /// (`-e prod`), which a later install given none keeps.
    public var given: [String]
    /// The line is as orchestrate wrote it: the sum in its comment matches,
    /// or, written before there were sums, it has the shape orchestrate wrote.
    public var isAsWritten = true
    /// The comment as read from the crontab, written back as it is (its sum
    /// must go on telling an edited line); nil for a new entry.
    var comment: String?

    public init(subject: Subject, line: String, given: [String] = []) {
      self.subject = subject
      self.line = line
      self.given = given
    }

    public var pipeline: String? {
      if case .pipeline(let name) = subject { name } else { nil }
    }

    /// `status --notify` for the root every ten minutes: the one thing
    /// that tells of a night that did not run at all, since no run
    /// started to tell it.
    public static func watchdog(binary: String, root: String) -> Entry {
      Entry(
        subject: .watchdog,
        line: "*/10 * * * * "
          + [binary, "status", "--notify", "--quiet", "--root", root]
          .map(ScheduledPipeline.crontabWord).joined(separator: " "))
    }
  }

  /// A line of the block that orchestrate did not write as it stands.
  public struct HandEdit: Equatable, Sendable, CustomStringConvertible {
    /// The entry whose line was edited; nil for a line a person added.
    public var subject: Subject?
    public var line: String
    /// What orchestrate would write instead; nil when it would write nothing.
    public var replacement: String?
    /// Kept, or replaced or removed by `force`.
    public var kept: Bool

    public var description: String {
      let what = subject.map { "the line of \($0): \(line)" } ?? line
      guard kept else {
        return "\(replacement == nil ? "removed" : "replaced"), edited by hand: \(what)"
      }
      var text =
        "kept, edited by hand (--force \(replacement == nil ? "removes" : "replaces") it): "
      text += what
      if let replacement { text += "\n  orchestrate would write: \(replacement)" }
      return text
    }
  }

  /// A changed crontab, and the hand edits it kept or dropped.
  public struct Edit: Equatable, Sendable {
    public var crontab: String
    public var handEdits: [HandEdit] = []
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
  static let pipelinePrefix = "# orchestrate pipeline "
  static let watchdogComment = "# orchestrate watchdog"

  /// A line of the block.
  enum Item: Equatable {
    case entry(Entry)
    case other(String)
  }

  /// Adds or replaces the entries' subjects; with `replacingAll`, the
  /// block's pipelines are exactly those of `entries` afterwards (a
  /// watchdog stays until uninstalled). Lines edited by hand are kept
  /// unless `force`.
  public func installing(
    _ entries: [Entry], into crontab: String, replacingAll: Bool, force: Bool = false
  ) throws(DamagedMarkers) -> Edit {
    let (lines, block) = try split(crontab)
    let wanted = Dictionary(entries.map { ($0.subject, $0) }) { _, last in last }
    var items: [Item] = []
    var edits: [HandEdit] = []
    var placed = Set<Subject>()
    for item in block.map({ parse(lines[$0]) }) ?? [] {
      switch item {
      case .other(let line):
        if let kept = keep(line, subject: nil, replacement: nil, force: force, edits: &edits) {
          items.append(.other(kept))
        }
      case .entry(let old):
        let new = wanted[old.subject]
        let dropped = replacingAll && old.subject != .watchdog
        guard new != nil || dropped else {
          items.append(.entry(old))
          continue
        }
        // A second copy of an entry, as written, would run it twice.
        if placed.contains(old.subject) && old.isAsWritten { continue }
        placed.insert(old.subject)
        if !old.isAsWritten, !old.line.isEmpty,
          keep(old.line, subject: old.subject, replacement: new?.line, force: force, edits: &edits)
            != nil
        {
          items.append(.entry(old))
        } else if let new {
          items.append(.entry(new))
        }
      }
    }
    for entry in entries where !placed.contains(entry.subject) {
      items.append(.entry(entry))
      placed.insert(entry.subject)
    }
    return Edit(crontab: join(lines, block: block, items: items), handEdits: edits)
  }

  /// Removes the entries of `subjects`, or the whole block for nil; lines
  /// edited by hand stay unless `force`.
  public func uninstalling(_ subjects: [Subject]?, from crontab: String, force: Bool = false)
    throws(DamagedMarkers) -> Edit
  {
    let (lines, block) = try split(crontab)
    guard let block else { return Edit(crontab: crontab) }
    var items: [Item] = []
    var edits: [HandEdit] = []
    for item in parse(lines[block]) {
      switch item {
      case .other(let line):
        if subjects != nil {
          items.append(item)
        } else if let kept = keep(line, subject: nil, replacement: nil, force: force, edits: &edits)
        {
          items.append(.other(kept))
        }
      case .entry(let entry):
        if let subjects, !subjects.contains(entry.subject) {
          items.append(item)
        } else if !entry.isAsWritten, !entry.line.isEmpty,
          keep(entry.line, subject: entry.subject, replacement: nil, force: force, edits: &edits)
            != nil
        {
          items.append(item)
        }
      }
    }
    return Edit(crontab: join(lines, block: block, items: items), handEdits: edits)
  }

  /// The entries now in the crontab's block.
  public func entries(in crontab: String) throws(DamagedMarkers) -> [Entry] {
    let (lines, block) = try split(crontab)
    return (block.map { parse(lines[$0]) } ?? []).compactMap {
      if case .entry(let entry) = $0 { entry } else { nil }
    }
  }

  /// `line` when it stays, noting the hand edit; blank lines stay silently.
  private func keep(
    _ line: String, subject: Subject?, replacement: String?, force: Bool,
    edits: inout [HandEdit]
  ) -> String? {
    if line.allSatisfy({ $0 == " " || $0 == "\t" }) { return force ? nil : line }
    edits.append(HandEdit(subject: subject, line: line, replacement: replacement, kept: !force))
    return force ? nil : line
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

  /// The block's lines between its markers: each comment of ours with the
  /// line after it, and every other line as it is.
  func parse(_ block: ArraySlice<Substring>) -> [Item] {
    var items: [Item] = []
    var pending: EntryComment?
    for line in block.dropFirst().dropLast() {
      if var comment = EntryComment(parsing: line) {
        if let pending { items.append(.entry(pending.entry(line: ""))) }
        comment.text = String(line)
        pending = comment
      } else if let comment = pending {
        items.append(.entry(comment.entry(line: String(line))))
        pending = nil
      } else {
        items.append(.other(String(line)))
      }
    }
    if let pending { items.append(.entry(pending.entry(line: ""))) }
    return items
  }

  private func join(_ lines: [Substring], block: ClosedRange<Int>?, items: [Item]) -> String {
    let blockLines =
      items.isEmpty
      ? []
      : [begin]
        + items.flatMap { item -> [String] in
          switch item {
          case .other(let line): [line]
          case .entry(let entry):
            [entry.comment ?? EntryComment.text(of: entry)]
              + (entry.line.isEmpty ? [] : [entry.line])
          }
        } + [end]
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
