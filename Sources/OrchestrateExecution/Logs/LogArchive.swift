import CArchive
import CArchiveLoader
import FoundationEssentials
import Glibc

/// What run archives have in common: how they are named, how big a block of
/// data is moved at a time, and how libarchive's failures are worded.
public enum LogArchive {
  /// Files are streamed through this much memory, never read whole.
  static let blockSize = 64 * 1024

  /// `<run_id>.tar.gz` or `<run_id>.tar.zst`.
  public static func fileName(run: String, compression: LogCompression) -> String {
    run + compression.archiveSuffix
  }

  /// The run name and compression of an archive's file name, nil for other files.
  public static func parse(fileName: String) -> (run: String, compression: LogCompression)? {
    for compression in LogCompression.allCases where fileName.hasSuffix(compression.archiveSuffix) {
      let run = String(fileName.dropLast(compression.archiveSuffix.count))
      if !run.isEmpty && !run.hasPrefix(".") { return (run, compression) }
    }
    return nil
  }

  /// Where an archive is written before it is complete: hidden, and never
  /// mistaken for an archive, so a crash leaves nothing a reader would trust.
  public static func temporaryName(of archiveName: String) -> String { ".\(archiveName).tmp" }

  /// The run whose temporary archive a file name is (one some earlier
  /// rotation left behind), nil for other names.
  public static func runOfTemporary(fileName: String) -> String? {
    guard fileName.hasPrefix("."), fileName.hasSuffix(".tmp") else { return nil }
    return parse(fileName: String(fileName.dropFirst().dropLast(4)))?.run
  }
}

extension LogCompression {
  public var archiveSuffix: String {
    switch self {
    case .gzip: ".tar.gz"
    case .zstd: ".tar.zst"
    }
  }
}

/// A run archive could not be written or read; the message names the file.
public struct LogArchiveError: Error, CustomStringConvertible, Equatable {
  public var message: String
  public var description: String { message }

  init(_ message: String) { self.message = message }

  /// An archive object could not be made: libarchive is missing, or memory.
  static func cannotCreate(_ what: String) -> LogArchiveError {
    if let reason = orchestrate_archive_load_error() {
      return LogArchiveError(
        "cannot create an archive \(what): libarchive cannot be loaded (\(String(cString: reason));"
          + " Debian: apt-get install libarchive13)")
    }
    return LogArchiveError("cannot create an archive \(what)")
  }

  /// libarchive's own explanation of its last failure on `archive`.
  static func libarchive(_ archive: OpaquePointer, _ context: String) -> LogArchiveError {
    let reason = archive_error_string(archive).map { String(cString: $0) } ?? "unknown error"
    return LogArchiveError("\(context): \(reason)")
  }

  static func system(_ context: String, _ code: Int32 = errno) -> LogArchiveError {
    LogArchiveError("\(context): \(String(cString: strerror(code)))")
  }

  static let stopped = LogArchiveError("stopped by a signal")
}

/// One file as it went into an archive: its path inside the archive, its
/// size and, where its bytes were read, their CRC-32.
public struct ArchivedFile: Equatable, Sendable {
  public var path: String
  public var size: Int64
  public var checksum: UInt32?

  public init(path: String, size: Int64, checksum: UInt32? = nil) {
    self.path = path
    self.size = size
    self.checksum = checksum
  }
}

/// CRC-32 (zlib's) of bytes streamed through in blocks.
struct Checksum {
  private(set) var value: UInt32 = 0

  mutating func add(_ block: UnsafeRawBufferPointer) {
    guard let base = block.baseAddress, !block.isEmpty else { return }
    value = UInt32(
      crc32(uLong(value), base.assumingMemoryBound(to: Bytef.self), uInt(block.count)))
  }

  /// The checksum of a whole file, read in blocks.
  static func ofFile(_ path: String) throws(LogArchiveError) -> UInt32 {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .system("cannot open \(path)") }
    defer { close(fd) }
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: LogArchive.blockSize, alignment: 16)
    defer { buffer.deallocate() }
    var checksum = Checksum()
    while true {
      let count = read(fd, buffer, LogArchive.blockSize)
      if count < 0 && errno == EINTR { continue }
      guard count >= 0 else { throw .system("cannot read \(path)") }
      if count == 0 { return checksum.value }
      checksum.add(UnsafeRawBufferPointer(start: buffer, count: count))
    }
  }
}
