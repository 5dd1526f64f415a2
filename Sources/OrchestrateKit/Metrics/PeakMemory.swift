import Foundation

/// The orchestrator's own memory high-water mark.
///
/// `getrusage` would not do: Linux hands the peak of whichever process
/// started a program down across exec into its `ru_maxrss` (a 500 MB parent
/// makes it read 500 MB). `VmHWM` belongs to the program's own address space.
enum PeakMemory {
  /// `VmHWM` of /proc/self/status.
  static func ofThisProcess() -> Int? {
    let status = procSelfStatus()
    guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
      let kilobytes = Int(
        line.dropFirst("VmHWM:".count).split(whereSeparator: \.isWhitespace).first ?? "")
    else { return nil }
    return kilobytes * 1024
  }

  /// Read with plain system calls: /proc files report a size of zero, which
  /// file-reading conveniences take at its word.
  private static func procSelfStatus() -> String {
    let fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return "" }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let count = read(fd, &buffer, buffer.count)
      guard count > 0 else { break }
      bytes += buffer[..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
