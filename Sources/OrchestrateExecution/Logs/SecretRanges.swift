import FoundationEssentials
import Glibc

/// Where secret values stand in one task log, as byte ranges found when the
/// attempt ended. A log keeps what the task printed, secrets included; this
/// lets `serve` show it masked without knowing any secret, since the file
/// holds positions only, never a value.
///
/// A run that has secrets leaves a marker in its log folder; a log of such
/// a run without its ranges (the orchestrator died before it looked) is not
/// served at all.
public struct SecretRanges: Equatable, Sendable {
  /// Sorted, not overlapping.
  public var ranges: [Range<Int>]

  public init(_ ranges: [Range<Int>]) { self.ranges = Self.merged(ranges) }

  static let header = "orchestrate-secret-ranges 1"
  /// In a run's log folder: its logs may hold secret values.
  public static let marker = ".secrets"

  /// The ranges file of the log `logName` (`a.log` → `.a.log.secrets`).
  /// Task names never start with a dot, so no task's log can have this name.
  public static func fileName(of logName: String) -> String { ".\(logName).secrets" }

  /// Every place a value of `mask` stands in the file at `path`; nil when
  /// the file cannot be read. Read in blocks that overlap by the longest
  /// value, so a secret across two blocks is found.
  public static func find(in path: String, mask: SecretMask) -> SecretRanges? {
    let values = mask.values.map { Array($0.utf8) }
    guard let longest = values.first?.count else { return SecretRanges([]) }
    let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    let blockSize = max(1 << 20, longest * 4)
    var buffer = [UInt8](repeating: 0, count: blockSize + longest)
    var found: [Range<Int>] = []
    var kept = 0  // bytes carried over from the previous block
    var start = 0  // file offset of buffer[0]
    while true {
      let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + kept, blockSize) }
      if count < 0 && errno == EINTR { continue }
      guard count >= 0 else { return nil }
      let filled = kept + count
      buffer.withUnsafeBytes { bytes in
        for value in values {
          var from = 0
          while let hit = search(value, in: bytes, from: from, to: filled) {
            // A match wholly inside the carried-over part was found last time.
            if hit + value.count > kept {
              found.append(start + hit..<start + hit + value.count)
            }
            from = hit + 1
          }
        }
      }
      if count == 0 { break }
      kept = min(longest - 1, filled)
      buffer.withUnsafeMutableBytes { bytes in
        memmove(bytes.baseAddress!, bytes.baseAddress! + filled - kept, kept)
      }
      start += filled - kept
    }
    return SecretRanges(found)
  }

  /// The first place `value` stands in `bytes[from..<end]` (memchr for its
  /// first byte, then memcmp: glibc's memmem is not visible to Swift).
  private static func search(
    _ value: [UInt8], in bytes: UnsafeRawBufferPointer, from: Int, to end: Int
  ) -> Int? {
    value.withUnsafeBytes { needle in
      var at = from
      while end - at >= needle.count {
        guard
          let candidate = memchr(
            bytes.baseAddress! + at, Int32(needle[0]), end - at - needle.count + 1)
        else { return nil }
        let index = bytes.baseAddress!.distance(to: UnsafeRawPointer(candidate))
        if memcmp(candidate, needle.baseAddress!, needle.count) == 0 { return index }
        at = index + 1
      }
      return nil
    }
  }

  /// Finds the values of `mask` in the log at `path` and writes where they
  /// stand beside it; false when that failed (the log is then not served).
  @discardableResult
  public static func store(for path: String, mask: SecretMask) -> Bool {
    guard !mask.values.isEmpty, let ranges = find(in: path, mask: mask) else {
      return mask.values.isEmpty
    }
    let file = "\(PathName.parent(path))/\(fileName(of: PathName.last(path)))"
    return (try? AtomicFile.write(ranges.encoded, to: file)) != nil
  }

  /// Marks a run's log folder as holding logs that may hold secrets.
  public static func markFolder(_ directory: String, mask: SecretMask) -> Bool {
    guard !mask.values.isEmpty else { return true }
    let fd = FileSystem.openNew("\(directory)/\(marker)", O_WRONLY)
    guard fd >= 0 else { return false }
    return close(fd) == 0
  }

  private static func merged(_ ranges: [Range<Int>]) -> [Range<Int>] {
    var result: [Range<Int>] = []
    for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
      if let last = result.last, range.lowerBound <= last.upperBound {
        result[result.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
      } else {
        result.append(range)
      }
    }
    return result
  }

  public var encoded: Data {
    Data(
      ([Self.header] + ranges.map { "\($0.lowerBound) \($0.count)" })
        .joined(separator: "\n").utf8 + [10])
  }

  /// Reads the file's text; nil when it is not such a file, or damaged.
  public init?(_ data: Data) {
    let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
    guard lines.first == Substring(Self.header) else { return nil }
    var ranges: [Range<Int>] = []
    for line in lines.dropFirst() {
      let fields = line.split(separator: " ")
      guard fields.count == 2, let offset = Int(fields[0]), let length = Int(fields[1]),
        offset >= 0, length > 0, offset <= Int.max - length
      else { return nil }
      ranges.append(offset..<offset + length)
    }
    self.init(ranges)
  }
}

/// Writes a log's bytes with its secret ranges replaced by `***`, block by
/// block as they are read.
public struct SecretRangeMasker {
  private let ranges: [Range<Int>]
  private var next = 0  // the first range not wholly behind `offset`
  private var offset = 0  // file offset of the next block
  private static let placeholder = Array(SecretMask.placeholder.utf8)

  public init(_ ranges: SecretRanges) { self.ranges = ranges.ranges }

  /// Hands `emit` the parts of `block` to write, in order; false when
  /// `emit` failed.
  public mutating func write(
    _ block: UnsafeRawBufferPointer, to emit: (UnsafeRawBufferPointer) -> Bool
  ) -> Bool {
    defer { offset += block.count }
    var position = 0
    while position < block.count {
      let here = offset + position
      while next < ranges.count && ranges[next].upperBound <= here { next += 1 }
      guard next < ranges.count, ranges[next].lowerBound < offset + block.count else {
        return emit(UnsafeRawBufferPointer(rebasing: block[position...]))
      }
      let range = ranges[next]
      if range.lowerBound > here {
        let end = range.lowerBound - offset
        guard emit(UnsafeRawBufferPointer(rebasing: block[position..<end])) else { return false }
        position = end
        continue
      }
      // Inside a range: `***` once, where it begins (perhaps in an earlier block).
      if range.lowerBound == here {
        guard Self.placeholder.withUnsafeBytes(emit) else { return false }
      }
      position = min(block.count, range.upperBound - offset)
    }
    return true
  }
}
