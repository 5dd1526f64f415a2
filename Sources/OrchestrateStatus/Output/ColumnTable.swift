/// A table for a terminal of a given width: a name column, then columns
/// of right-aligned cells, then a free-text note. When the width is short,
/// columns are dropped from the right first (so they are listed most
/// useful first); names are shortened only when even the columns that are
/// always kept do not fit, and lines never exceed the width.
public struct ColumnTable: Sendable {
  public struct Column: Sendable {
    public var title: String
    /// Including the space before it.
    public var width: Int

    public init(_ title: String, width: Int) {
      self.title = title
      self.width = width
    }
  }

  public struct Row: Sendable {
    public var name: String
    public var cells: [String]
    /// Shown after the cells (`slow`), already styled.
    public var note: String?
    public var noteWidth: Int

    public init(name: String, cells: [String], note: String? = nil, noteWidth: Int = 0) {
      self.name = name
      self.cells = cells
      self.note = note
      self.noteWidth = noteWidth
    }
  }

  public var nameTitle: String
  public var columns: [Column]
  /// Columns never dropped, counted from the left.
  public var kept: Int
  public var indent = 2
  public var minimumNameWidth = 4
  public var maximumNameWidth = 30

  public init(nameTitle: String, columns: [Column], kept: Int) {
    self.nameTitle = nameTitle
    self.columns = columns
    self.kept = kept
  }

  /// How many columns fit beside names of `nameWidth`, and the name width used.
  func layout(rows: [Row], width: Int) -> (columns: Int, nameWidth: Int) {
    let longest = max(rows.map(\.name.count).max() ?? 0, nameTitle.count)
    var nameWidth = min(max(longest, minimumNameWidth), maximumNameWidth)
    let note = rows.map { $0.note == nil ? 0 : $0.noteWidth + 1 }.max() ?? 0
    var count = columns.count
    func used() -> Int {
      indent + nameWidth + columns.prefix(count).reduce(0) { $0 + $1.width } + note
    }
    while used() > width && count > kept { count -= 1 }
    if used() > width { nameWidth = max(minimumNameWidth, nameWidth - (used() - width)) }
    return (count, nameWidth)
  }

  /// The header line (dimmed by the style) and one line per row.
  public func render(_ rows: [Row], width: Int, style: TerminalStyle) -> [String] {
    let (count, nameWidth) = layout(rows: rows, width: width)
    func line(_ name: String, _ cells: [String]) -> String {
      let shown =
        name.count > nameWidth ? String(name.prefix(max(nameWidth - 1, 0))) + "…" : name
      var text =
        String(repeating: " ", count: indent)
        + shown.padded(to: nameWidth)
      for (cell, column) in zip(cells.prefix(count), columns) {
        text += String(repeating: " ", count: max(column.width - cell.count, 1)) + cell
      }
      return text
    }
    var lines = [style.dim(line(nameTitle, columns.map(\.title)))]
    for row in rows {
      var text = line(row.name, row.cells)
      if let note = row.note { text += " " + note }
      lines.append(text)
    }
    return lines
  }
}
