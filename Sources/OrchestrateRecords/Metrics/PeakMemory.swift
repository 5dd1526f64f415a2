import FoundationEssentials

/// The orchestrator's own memory high-water mark.
///
/// `getrusage` would not do: Linux hands the peak of whichever process
/// started a program down across exec into its `ru_maxrss` (a 500 MB parent
/// makes it read 500 MB). `VmHWM` belongs to the program's own address space.
package enum PeakMemory {
  /// `VmHWM` of /proc/self/status (`VmHWM:\t   29440 kB`).
  package static func ofThisProcess() -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
      let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
      let kilobytes = line.dropFirst("VmHWM:".count).split(whereSeparator: \.isWhitespace).first
        .flatMap({ Int($0) })
    else { return nil }
    return kilobytes * 1024
  }
}
