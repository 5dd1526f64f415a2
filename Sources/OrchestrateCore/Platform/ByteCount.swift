/// Sizes as people read them: `512 B`, `1.2 KiB`, `48.0 MiB`.
public enum ByteCount {
  public static func format(_ bytes: Int64) -> String {
    let units = ["KiB", "MiB", "GiB", "TiB"]
    guard bytes >= 1024 else { return "\(bytes) B" }
    var value = Double(bytes) / 1024
    var unit = 0
    while value >= 1024 && unit < units.count - 1 {
      value /= 1024
      unit += 1
    }
    return String(printf: "%.1f", value) + " " + units[unit]
  }
}
