import Testing

@testable import OrchestrateStatus

@Suite struct DurationTextTests {
  @Test(arguments: [
    ("90s", 90.0), ("45m", 2700), ("2h", 7200), ("7d", 604_800), ("30", 30), ("0.5", 0.5),
    ("500ms", 0.5), ("1h30m", 5400), ("1.5h", 5400), (" 10s ", 10), ("2w", 1_209_600),
    ("26h", 93600), ("30d", 2_592_000),
  ])
  func parses(text: String, seconds: Double) {
    #expect(DurationText.parse(text)?.seconds == seconds)
  }

  @Test(arguments: ["", "soon", "-5", "-5s", "10x", "s", "1h-30m", "nan", "inf", "1..5s", "h1"])
  func rejects(text: String) {
    #expect(DurationText.parse(text) == nil)
  }

  @Test(arguments: [
    "36501d", "9999999999999999d", "99999999999999999999h", "106751991167301d", "1e20",
    "99999999999999999999", "1e308", "5000000000000000000000000000000w",
  ])
  func refusesWhatTheClockCannotHold(text: String) {
    #expect(DurationText.read(text) == .failure(.outOfRange))
    #expect(DurationText.parse(text) == nil)
  }

  @Test func aHundredYearsIsTheLongest() {
    #expect(DurationText.read("36500d") == .success(.seconds(36500 * 86400)))
    #expect(DurationText.parse(DurationText.format(DurationText.maximum)) == DurationText.maximum)
    #expect(DurationText.duration(seconds: .infinity) == .failure(.outOfRange))
    #expect(DurationText.duration(seconds: -1) == .failure(.notADuration))
  }

  @Test func formatsReadably() {
    #expect(DurationText.format(.seconds(5400)) == "1h30m")
    #expect(DurationText.format(.seconds(90)) == "1m30s")
    #expect(DurationText.format(.seconds(604_800)) == "7d")
    #expect(DurationText.format(.seconds(0.25)) == "0.25s")
    #expect(DurationText.format(.zero) == "0s")
  }

  @Test func formattedTextParsesBack() {
    for seconds in [1.0, 59, 61, 3599, 3601, 86399, 90061, 0.5] {
      #expect(DurationText.parse(DurationText.format(.seconds(seconds)))?.seconds == seconds)
    }
  }
}
