/// The parts of a slash-separated path, as `basename`, `dirname` and the
/// shell's `${name%.*}` give them: pure text, no file system access.
public enum PathName {
  /// The last component (`/a/b.json` → `b.json`; trailing slashes ignored).
  public static func last(_ path: String) -> String {
    let trimmed = withoutTrailingSlashes(path)
    if trimmed == "/" { return trimmed }
    guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
    return String(trimmed[trimmed.index(after: slash)...])
  }

  /// Everything before the last component (`/a/b` → `/a`, `/a` → `/`, `a` → ``).
  public static func parent(_ path: String) -> String {
    let trimmed = withoutTrailingSlashes(path)
    guard let slash = trimmed.lastIndex(of: "/") else { return "" }
    if slash == trimmed.startIndex { return "/" }
    return withoutTrailingSlashes(String(trimmed[..<slash]))
  }

  /// The extension of the last component without its dot (`b.json` →
  /// `json`); none for `.hidden` or `name.`.
  public static func `extension`(_ path: String) -> String {
    let name = last(path)
    guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
    return String(name[name.index(after: dot)...])
  }

  /// The path without the extension of its last component (`/a/b.json` → `/a/b`).
  public static func droppingExtension(_ path: String) -> String {
    let suffix = `extension`(path)
    guard !suffix.isEmpty else { return withoutTrailingSlashes(path) }
    let trimmed = withoutTrailingSlashes(path)
    return String(trimmed.dropLast(suffix.utf8.count + 1))
  }

  private static func withoutTrailingSlashes(_ path: String) -> String {
    var text = Substring(path)
    while text.count > 1, text.hasSuffix("/") { text = text.dropLast() }
    return String(text)
  }
}
