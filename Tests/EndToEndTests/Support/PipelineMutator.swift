/// Small random edits of a pipeline file, the kind a slipped finger or a
/// truncated copy makes, plus some that only an attacker would.
enum PipelineMutator {
  static let fragments: [[UInt8]] =
    [
      ":", "-", "[", "]", "{", "}", "\"", "'", "\n", " ", "  ", "\t", "&a", "*a", "!!str", "<<: *a",
      "0", "-1", "1e309", "null", "~", "true", "depends_on: [x]", "\u{0}", "\u{FEFF}", "%YAML 1.1",
      "---", "...", "? ", "|", ">", "#", ",", "name: x", "timeout: soon", "for_each_source: true",
    ].map { Array($0.utf8) } + [[0xff], [0xc3], [0xe2, 0x82]]

  static func mutate<G: RandomNumberGenerator>(_ input: [UInt8], using generator: inout G)
    -> [UInt8]
  {
    var bytes = input
    for _ in 0..<Int.random(in: 1...4, using: &generator) {
      guard !bytes.isEmpty else { break }
      let position = Int.random(in: 0..<bytes.count, using: &generator)
      let length = min(Int.random(in: 1...40, using: &generator), bytes.count - position)
      switch Int.random(in: 0..<5, using: &generator) {
      case 0: bytes.removeSubrange(position..<(position + length))
      case 1: bytes.insert(contentsOf: fragments.randomElement(using: &generator)!, at: position)
      case 2: bytes.insert(contentsOf: bytes[position..<(position + length)], at: position)
      case 3: bytes[position] = UInt8.random(in: 0...255, using: &generator)
      default: bytes = Array(bytes[..<position])
      }
    }
    return bytes
  }
}

/// SplitMix64: the same cases on every machine and every run.
struct SeededGenerator: RandomNumberGenerator {
  private var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
