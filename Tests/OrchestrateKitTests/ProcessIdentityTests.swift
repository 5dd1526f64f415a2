import Foundation
import Testing

@testable import OrchestrateRecords
@testable import OrchestrateStatus

@Suite struct ProcessIdentityTests {
  func ticks(_ line: String) -> UInt64? {
    Array(line.utf8).withUnsafeBufferPointer { ProcessIdentity.startTicks(stat: $0) }
  }

  @Test func startTicksIsTheTwentySecondField() {
    let rest = (4...21).map(String.init).joined(separator: " ")
    #expect(ticks("77 (etl) S \(rest) 987654 23 24\n") == 987_654)
    #expect(ticks("77 (a (b) c) d) S \(rest) 42 23\n") == 42, "parentheses in the name")
    #expect(ticks("77 (etl) S 4 5") == nil, "too short")
    #expect(ticks("77 etl S") == nil)
  }

  @Test func startTicksOfThisProcessMatchesProc() throws {
    let stat = try String(contentsOfFile: "/proc/self/stat", encoding: .utf8)
    let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
    #expect(ProcessIdentity.startTicks(of: getpid()) == UInt64(fields[19]))
  }
}
