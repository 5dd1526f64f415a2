import FoundationEssentials
import Glibc

/// The end of a task's log, for the `error` field of a task that did not
/// complete: read backwards from the end, so a 1 GB log costs 4 KB.
public enum OutputTail {
  public static let maximumLines = 20
  public static let maximumBytes = 4096

  /// The last lines written since `offset` (where this attempt's output
  /// began), with `mask`'s secrets masked before anything is cut: the
  /// window reaches back by one secret's length, so a secret across its
  /// start is read whole and masked, and what is cut away there can hold
  /// only a piece of one.
  public static func read(path: String, from offset: Int = 0, mask: SecretMask = SecretMask())
    -> String?
  {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    let margin = max(0, (mask.values.first?.utf8.count ?? 0) - 1)
    let end = Int(lseek(fd, 0, SEEK_END))
    let start = max(offset, end - maximumBytes - margin)
    guard end > start else { return nil }
    var buffer = [UInt8](repeating: 0, count: end - start)
    let count = pread(fd, &buffer, buffer.count, off_t(start))
    guard count > 0 else { return nil }
    var text = mask.apply(String(decoding: buffer[..<count], as: UTF8.self))
    // A cut in the middle of a line or a UTF-8 sequence starts the tail
    // badly, and may start with the end of a secret.
    if start > offset {
      if let newline = text.firstIndex(of: "\n") {
        text = String(text[text.index(after: newline)...])
      } else {
        text = String(decoding: text.utf8.dropFirst(margin), as: UTF8.self)
      }
    }
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    let trimmed = lines.suffix(maximumLines + 1).joined(separator: "\n")
      .trimmed
    let lastLines = trimmed.split(separator: "\n", omittingEmptySubsequences: false).suffix(
      maximumLines)
    let result = lastLines.joined(separator: "\n")
    return result.isEmpty ? nil : result
  }
}
