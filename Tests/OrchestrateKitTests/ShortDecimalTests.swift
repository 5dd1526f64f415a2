import Foundation
import Testing

@testable import OrchestrateStatus

@Suite struct ShortDecimalTests {
  func parse(_ text: String) -> Double? {
    Array(text.utf8).withUnsafeBytes { ShortDecimal.parse($0) }
  }

  @Test func agreesWithTheStandardLibraryBitForBit() {
    var generator = SystemRandomNumberGenerator()
    var fast = 0
    for round in 0..<200_000 {
      let value: Double =
        switch round % 4 {
        case 0: Double.random(in: 0..<1, using: &generator)  // durations of quick tasks
        case 1: Double.random(in: 0..<100_000, using: &generator)
        case 2: Double(Int.random(in: 0..<10_000_000, using: &generator)) / 1000
        default: Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &generator))
        }
      guard value.isFinite else { continue }
      let text = "\(value)"
      guard let parsed = parse(text) else { continue }
      fast += 1
      #expect(parsed.bitPattern == Double(text)!.bitPattern, "\(text)")
    }
    #expect(fast > 50_000, "most short decimals take the fast path")
  }

  @Test func readsTheSpellingsSwiftPrints() {
    #expect(parse("0.0") == 0)
    #expect(parse("-0.0")?.sign == .minus)
    #expect(parse("12.5") == 12.5)
    #expect(parse("0.00012") == 0.00012)
    #expect(parse("1e-05") == 1e-05)
    #expect(parse("1.5e+16") == 1.5e16)
    #expect(parse("100") == 100)
  }

  @Test func leavesEverythingElseToStrtod() {
    for text in [
      "", "-", ".", "1.2.3", "1e", "1e+", "inf", "nan", "12a", "0.12345678901234567", "1e400",
    ] {
      #expect(parse(text) == nil, "\(text)")
    }
  }
}
