import FoundationEssentials
import Glibc

/// How many columns output may use: the terminal's own width, else
/// `COLUMNS` (set by shells, and by people for a pipe), else 100.
public enum TerminalWidth {
  public static let fallback = 100

  public static func detect(
    descriptor: Int32 = STDOUT_FILENO,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> Int {
    var size = winsize()
    if ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
      return Int(size.ws_col)
    }
    if let columns = environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
    return fallback
  }
}
