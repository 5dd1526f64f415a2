import Foundation
import Testing

@testable import OrchestrateCore
@testable import OrchestrateStatus

/// The zone reader against Foundation's ICU time zones (the implementation
/// it replaces in the binary), and the rule syntax against worked examples.
@Suite struct ZoneInfoTests {
  /// Zones with daylight saving in either hemisphere, negative DST (Dublin),
  /// half-hour and 45-minute offsets, and zones that changed their rules.
  static let zones = [
    "Europe/Berlin", "Europe/London", "Europe/Dublin", "America/New_York",
    "America/Sao_Paulo", "America/St_Johns", "Australia/Sydney", "Australia/Lord_Howe",
    "Asia/Kolkata", "Asia/Kathmandu", "Pacific/Chatham", "Pacific/Apia", "Africa/Casablanca",
    "America/Nuuk", "Antarctica/Troll", "UTC", "Asia/Tokyo", "America/Santiago",
  ]

  @Test(arguments: zones)
  func offsetsAgreeWithFoundation(zone: String) throws {
    let ours = try #require(ZoneInfo.named(zone))
    let theirs = try #require(TimeZone(identifier: zone))
    // Every 6 hours plus an odd minute from 1975 to 2060: transitions in
    // the file and years only the footer rule covers.
    var seconds = 157_766_400
    while seconds < 2_871_763_200 {
      let date = Date(timeIntervalSince1970: Double(seconds))
      #expect(
        ours.secondsFromGMT(at: seconds) == theirs.secondsFromGMT(for: date),
        "\(zone) at \(Timestamp.format(date))")
      seconds += 6 * 3600 + 61
    }
  }

  @Test func unknownAndHostileNamesAreRefused() {
    #expect(ZoneInfo.named("Mars/Olympus_Mons") == nil)
    #expect(ZoneInfo.named("../../etc/passwd") == nil)
    #expect(ZoneInfo.named("/etc/localtime") == nil)
    #expect(ZoneInfo.named("") == nil)
    #expect(ZoneInfo.named("Europe") == nil)
  }

  @Test func posixRules() throws {
    let berlin = try #require(PosixZoneRule("CET-1CEST,M3.5.0,M10.5.0/3"))
    // 2030-03-31 00:59:59 UTC is still winter time; one second later, summer.
    #expect(berlin.offset(at: 1_901_149_199) == 3600)
    #expect(berlin.offset(at: 1_901_149_200) == 7200)
    // 2030-10-27 00:59:59 UTC is summer time, 01:00 UTC winter again.
    #expect(berlin.offset(at: 1_919_293_199) == 7200)
    #expect(berlin.offset(at: 1_919_293_200) == 3600)
    let india = try #require(PosixZoneRule("IST-5:30"))
    #expect(india.offset(at: 0) == 19800)
    let quoted = try #require(PosixZoneRule("<-03>3"))
    #expect(quoted.offset(at: 0) == -10800)
    // Southern hemisphere: summer time across the new year.
    let sydney = try #require(PosixZoneRule("AEST-10AEDT,M10.1.0,M4.1.0/3"))
    #expect(sydney.offset(at: 1_893_456_000) == 39600)  // 2030-01-01
    #expect(sydney.offset(at: 1_909_008_000) == 36000)  // 2030-06-30
    for broken in ["", "CET", "C-1", "CET-1CEST,M13.5.0,M10.5.0", "CET-1CEST,M3.5.0", "<CET-1"] {
      #expect(PosixZoneRule(broken) == nil, "\(broken)")
    }
  }

  @Test func tzVariableForms() {
    #expect(ZoneInfo.fromTZVariable(":Europe/Berlin").identifier == "Europe/Berlin")
    #expect(ZoneInfo.fromTZVariable("Asia/Tokyo").secondsFromGMT(at: 0) == 32400)
    #expect(ZoneInfo.fromTZVariable("EST5EDT,M3.2.0,M11.1.0").secondsFromGMT(at: 0) == -18000)
    #expect(ZoneInfo.fromTZVariable("").identifier == "UTC")
    #expect(ZoneInfo.fromTZVariable("no such zone").identifier == "UTC")
  }

  @Test func truncatedFilesAreRefused() throws {
    let bytes = try [UInt8](
      Data(contentsOf: URL(fileURLWithPath: "/usr/share/zoneinfo/Europe/Berlin")))
    #expect(TZifFile.parse(bytes, identifier: "x") != nil)
    for length in [0, 10, 44, 100, bytes.count / 2] {
      #expect(TZifFile.parse(Array(bytes.prefix(length)), identifier: "x") == nil)
    }
  }
}
