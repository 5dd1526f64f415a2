/// How a status looks on a page: a colour class, and always a glyph and a
/// word too, so that it reads in print, in dark mode and without colour.
struct StatusMark {
  /// CSS class: `s-ok`, `s-bad`, `s-warn`, `s-run`, `s-idle`.
  var tone: String
  var glyph: String
  var word: String

  init(_ run: RunStatus) {
    switch run {
    case .completed: self.init("s-ok", "✓", "completed")
    case .partial: self.init("s-warn", "◐", "partial")
    case .failed: self.init("s-bad", "✗", "failed")
    case .cancelled: self.init("s-idle", "⊘", "cancelled")
    case .abandoned: self.init("s-bad", "☠", "abandoned")
    case .refused: self.init("s-bad", "⊗", "refused")
    case .running: self.init("s-run", "▶", "running")
    }
  }

  init(_ task: TaskStatus) {
    switch task {
    case .completed: self.init("s-ok", "✓", "completed")
    case .failed: self.init("s-bad", "✗", "failed")
    case .timedOut: self.init("s-bad s-timeout", "◷", "timed out")
    case .skipped: self.init("s-idle", "–", "skipped")
    case .notWanted: self.init("s-idle", "∅", "not wanted")
    case .cancelled: self.init("s-idle", "⊘", "cancelled")
    case .running: self.init("s-run", "▶", "running")
    case .pending: self.init("s-idle", "·", "pending")
    }
  }

  init(_ phase: PhaseStatus) {
    switch phase {
    case .completed: self.init(TaskStatus.completed)
    case .failed: self.init(TaskStatus.failed)
    case .skipped: self.init(TaskStatus.skipped)
    case .running: self.init(TaskStatus.running)
    case .pending: self.init(TaskStatus.pending)
    }
  }

  init(_ health: HealthLevel) {
    switch health {
    case .ok: self.init("s-ok", "✓", "OK")
    case .warning: self.init("s-warn", "!", "WARNING")
    case .critical: self.init("s-bad", "✗", "CRITICAL")
    case .unknown: self.init("s-idle", "?", "UNKNOWN")
    }
  }

  private init(_ tone: String, _ glyph: String, _ word: String) {
    self.tone = tone
    self.glyph = glyph
    self.word = word
  }

  /// A badge: glyph and word on the status colour.
  var badge: String {
    "<span class=\"badge \(tone)\"><span aria-hidden=\"true\">\(glyph)</span> \(word)</span>"
  }

  /// The SVG fill for a bar: colour plus, for bad outcomes, a hatch pattern,
  /// so that failed and timed-out bars differ from completed ones in grey.
  var barClass: String { "bar \(tone)" }
}
