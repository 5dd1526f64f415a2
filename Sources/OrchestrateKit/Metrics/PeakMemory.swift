import Foundation

/// The orchestrator's own memory high-water mark.
enum PeakMemory {
  /// `VmHWM` of /proc/self/status: the peak of this program's own address
  /// space. `getrusage` would report the larger peak of whichever process
  /// started it (Linux carries it across exec), which is not ours to record.
  static func ofThisProcess() -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
      let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
      let kilobytes = Int(line.dropFirst("VmHWM:".count).split(separator: " ").first ?? "")
    else {
      var usage = rusage()
      getrusage(RUSAGE_SELF.rawValue, &usage)
      return usage.ru_maxrss > 0 ? Int(usage.ru_maxrss) * 1024 : nil
    }
    return kilobytes * 1024
  }
}
