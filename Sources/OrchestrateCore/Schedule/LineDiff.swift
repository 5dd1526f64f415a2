/// A unified diff of two texts that differ in one contiguous stretch of
/// lines, as a crontab edit does: enough for `--dry-run` to show the change.
public enum LineDiff {
  public static let context = 3

  /// Empty when the texts are equal.
  public static func unified(_ old: String, _ new: String, oldName: String, newName: String)
    -> String
  {
    guard old != new else { return "" }
    let a = lines(old)
    let b = lines(new)
    var prefix = 0
    while prefix < min(a.count, b.count) && a[prefix] == b[prefix] { prefix += 1 }
    var suffix = 0
    while suffix < min(a.count, b.count) - prefix
      && a[a.count - 1 - suffix] == b[b.count - 1 - suffix]
    {
      suffix += 1
    }
    let start = max(prefix - context, 0)
    let oldEnd = min(a.count - suffix + context, a.count)
    let newEnd = min(b.count - suffix + context, b.count)
    var text = "--- \(oldName)\n+++ \(newName)\n"
    text += "@@ -\(range(start, oldEnd)) +\(range(start, newEnd)) @@\n"
    for line in a[start..<prefix] { text += " \(line)\n" }
    for line in a[prefix..<(a.count - suffix)] { text += "-\(line)\n" }
    for line in b[prefix..<(b.count - suffix)] { text += "+\(line)\n" }
    for line in a[(a.count - suffix)..<oldEnd] { text += " \(line)\n" }
    return text
  }

  /// Lines without their newlines; a last line without one is still a line.
  private static func lines(_ text: String) -> [Substring] {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    if lines.last == "" { lines.removeLast() }
    return lines
  }

  private static func range(_ start: Int, _ end: Int) -> String {
    let count = end - start
    return "\(count == 0 ? start : start + 1),\(count)"
  }
}
