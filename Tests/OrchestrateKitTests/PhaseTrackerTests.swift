import Foundation
import Testing

@testable import OrchestrateRecords

@Suite struct PhaseTrackerTests {
  let t0 = Date(timeIntervalSince1970: 1_800_000_000)
  func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }
  let declared = ["loading", "chunking", "embedding", "indexing"].map { DeclaredPhase(name: $0) }

  @Test func declaredPhasesStartPendingWithEqualShares() {
    let tracker = PhaseTracker(declared: declared)
    #expect(tracker.phases.map(\.status) == [.pending, .pending, .pending, .pending])
    #expect(tracker.phases.map(\.weight) == [0.25, 0.25, 0.25, 0.25])
    #expect(tracker.currentPhase == nil)
  }

  @Test func weightsAreNormalisedAndAnUnweightedPhaseWeighsOne() {
    let phases = [
      DeclaredPhase(name: "a", weight: 2), DeclaredPhase(name: "b"),
      DeclaredPhase(name: "c", weight: 5),
    ]
    #expect(phases.shares.map { ($0 * 8).rounded() } == [2, 1, 5])
  }

  @Test func enteringAPhaseCompletesTheRunningOneAndSkipsThosePassedOver() {
    var tracker = PhaseTracker(declared: declared)
    tracker.enter("loading", at: at(0))
    tracker.count(done: 5, total: 10)
    tracker.enter("loading", at: at(0.5))
    #expect(tracker.phases[0].startedAt == at(0), "the same phase again is not a new start")
    tracker.enter("embedding", at: at(1))
    #expect(tracker.phases.map(\.status) == [.completed, .skipped, .running, .pending])
    #expect(tracker.phases[0].finishedAt == at(1) && tracker.phases[0].done == 5)
    #expect(tracker.phases[1].startedAt == nil)
    tracker.count(done: 2, total: nil)
    tracker.count(done: nil, total: 8)
    #expect(tracker.currentPhase?.done == 2 && tracker.currentPhase?.total == 8)
  }

  @Test func anUndeclaredPhaseIsAppended() {
    var tracker = PhaseTracker(declared: declared)
    tracker.enter("loading", at: at(0))
    tracker.enter("warming up", at: at(1))
    #expect(tracker.phases.map(\.name).last == "warming up")
    #expect(tracker.phases.last?.weight == nil && tracker.phases.last?.status == .running)
    #expect(tracker.phases[0].status == .completed)
    #expect(tracker.phases[1].status == .pending, "an undeclared phase passes nothing over")
  }

  @Test func failingMarksTheRunningPhaseWithTheTailAndSkipsTheRest() {
    var tracker = PhaseTracker(declared: declared)
    tracker.enter("loading", at: at(0))
    tracker.enter("chunking", at: at(1))
    tracker.enter("embedding", at: at(2))
    tracker.finish(at: at(3), completed: false, error: "out of memory\n")
    #expect(tracker.phases.map(\.status) == [.completed, .completed, .failed, .skipped])
    #expect(tracker.phases[2].error == "out of memory\n" && tracker.phases[2].finishedAt == at(3))
    #expect(tracker.phases.failed?.name == "embedding")
    #expect(tracker.currentPhase == nil)
  }

  @Test func completingCompletesTheRunningPhase() {
    var tracker = PhaseTracker(declared: declared)
    tracker.enter("indexing", at: at(0))
    tracker.finish(at: at(1), completed: true, error: "ignored")
    #expect(tracker.phases.map(\.status) == [.skipped, .skipped, .skipped, .completed])
    #expect(tracker.phases.failed == nil && tracker.phases[3].error == nil)
  }

  @Test func aTaskThatReportsNothingFailsInNoPhase() {
    var tracker = PhaseTracker(declared: declared)
    tracker.finish(at: at(1), completed: false, error: "boom")
    #expect(tracker.phases.allSatisfy { $0.status == .skipped && $0.error == nil })
  }

  @Test func phaseNamesAreBounded() {
    var tracker = PhaseTracker(declared: [])
    for index in 0..<150 { tracker.enter("p\(index)", at: at(Double(index))) }
    #expect(tracker.phases.count == PhaseTracker.maximumPhases)
    #expect(tracker.currentPhase == nil)
    #expect(tracker.phases.allSatisfy { $0.status == .completed })
  }

  @Test func recordsFromBeforeStatusesReadAsRunningOrCompleted() throws {
    let json = """
      [{"name": "a", "started_at": "2026-11-22T02:00:00.000Z", "finished_at": "2026-11-22T02:00:01.000Z"},
       {"name": "b", "started_at": "2026-11-22T02:00:01.000Z"}]
      """
    let phases = try RecordCoding.decoder().decode([PhaseRecord].self, from: Data(json.utf8))
    #expect(phases.map(\.status) == [.completed, .running])
    #expect(phases[0].durationSeconds == 1)
  }
}
