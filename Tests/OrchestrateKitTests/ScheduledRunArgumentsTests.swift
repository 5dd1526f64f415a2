import Foundation
import Testing

@testable import OrchestrateStatus

/// What `schedule -e/-p` gives scheduled runs, and what a later install
/// given neither keeps.
@Suite struct ScheduledRunArgumentsTests {
  /// An install given no -e or -p keeps what an earlier one was given, as
  /// long as it fits the file; --force and a new command line replace it.
  @Test func earlierArgumentsAreKeptWhileTheyFit() throws {
    let pipeline = try parse(ScheduleFieldTests.declarations + "schedule: '@daily'")
    let none = RunSettings.Request()
    let kept = try ScheduledRunArguments.forInstall(
      none, earlier: ["-e", "prod", "-p", "region=eu"], force: false, for: pipeline)
    #expect(kept.isEarlier)
    #expect(kept.given == ScheduledRunArguments(environment: "prod", params: ["region": "eu"]))
    let forced = try ScheduledRunArguments.forInstall(
      none, earlier: ["-e", "prod"], force: true, for: pipeline)
    #expect(forced.given.isEmpty && !forced.isEarlier)
    let asked = try ScheduledRunArguments.forInstall(
      RunSettings.Request(flags: ["--full-refresh"]), earlier: ["-e", "prod"], force: false,
      for: pipeline)
    #expect(asked.given == ScheduledRunArguments(params: ["full_refresh": "true"]))
    #expect(throws: RunSettings.Problem.self) {
      try ScheduledRunArguments.forInstall(
        none, earlier: ["-p", "token=abc"], force: false, for: pipeline)
    }
    do {
      _ = try ScheduledRunArguments.forInstall(
        none, earlier: ["-p", "token=abc"], force: false, for: pipeline)
    } catch {
      #expect(!error.description.contains("abc"), "a secret now: not repeated")
    }
  }
}
