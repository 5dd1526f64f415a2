import Testing

@testable import OrchestrateStatus

@Suite struct NamesTests {
  @Test(arguments: [
    ("a.attempt-2", "a"), ("load[geo].attempt-12", "load[geo]"), ("x.y.attempt-0", "x.y"),
  ])
  func aRetrysLogNameIsTaken(name: String, owner: String) {
    #expect(
      Names.logFileProblem(with: name)
        == "the name would share a log file with a retry of task '\(owner)' (\(name).log); rename it"
    )
  }

  @Test(arguments: [
    "a", "attempt-2", ".attempt-2", "a.attempt-", "a.attempt-x", "a.attempts-2", "a.attempt-2b",
    "a-attempt-2", "orchestrate.log", "orchestrate2",
  ])
  func otherNamesAreFree(name: String) {
    #expect(Names.logFileProblem(with: name) == nil)
  }

  @Test func orchestratesOwnNameIsTaken() {
    #expect(Names.logFileProblem(with: "orchestrate")?.contains("orchestrate.log") == true)
  }
}
