import Foundation
import Testing

@testable import OrchestrateRecords

@Suite struct TaskETATests {
  typealias Phase = TaskETA.Phase
  /// Phases of 1, 0.5, 3 and 1 seconds, as earlier runs took them.
  let history = TaskHistory(
    seconds: 5.5,
    phaseSeconds: ["loading": 1, "chunking": 0.5, "embedding": 3, "indexing": 1])
  let shares = [1 / 5.5, 0.5 / 5.5, 3 / 5.5, 1 / 5.5]

  func phases(_ statuses: [PhaseStatus], elapsed: [Double], fraction: Double? = nil) -> [Phase] {
    zip(["loading", "chunking", "embedding", "indexing"], statuses).enumerated().map {
      index, pair in
      Phase(
        name: pair.0, status: pair.1, elapsed: index < elapsed.count ? elapsed[index] : 0,
        share: shares[index], fraction: pair.1 == .running ? fraction : nil)
    }
  }

  func close(_ value: Double?, _ expected: Double) -> Bool {
    guard let value else { return false }
    return abs(value - expected) < 1e-9
  }

  @Test func withoutPhasesHistoryThenProgress() {
    #expect(TaskETA.remaining(elapsed: 30, phases: [], history: TaskHistory(seconds: 100)) == 70)
    #expect(
      TaskETA.remaining(elapsed: 30, phases: [], fraction: 0.25, history: TaskHistory()) == 90)
    #expect(TaskETA.remaining(elapsed: 30, phases: [], history: TaskHistory()) == nil)
  }

  @Test func phasesStillToComeTakeTheirUsualDurations() {
    // At the start of phase 2 of 4: 0.5 + 3 + 1 left, where the percentage
    // of phase 2 alone would say next to nothing.
    let eta = TaskETA.remaining(
      elapsed: 1, phases: phases([.completed, .running, .pending, .pending], elapsed: [1, 0]),
      fraction: 0, history: history)
    #expect(close(eta, 4.5))
  }

  @Test func aSlowNightIsSlowThroughout() {
    // Loading took 2 s where it usually takes 1: the rest is taken at half speed.
    let eta = TaskETA.remaining(
      elapsed: 2, phases: phases([.completed, .running, .pending, .pending], elapsed: [2, 0]),
      history: history)
    #expect(close(eta, 9))
    #expect(TaskETA.pace(phases([.completed], elapsed: [100]), history: history) == 4, "bounded")
  }

  @Test func theRunningPhaseWeighsItsRateByHowFarItHasGot() {
    // Embedding at half its items after 1.5 s: rate and history agree on 1.5 s.
    let halfway = TaskETA.remaining(
      elapsed: 3,
      phases: phases([.completed, .completed, .running, .skipped], elapsed: [1, 0.5, 1.5]),
      fraction: 0.5, history: history)
    #expect(close(halfway, 1.5))
    // At 90% after 6 s (twice as slow as usual): the rate, 0.67 s, counts 9 to 1
    // against the history's 0.3 s (10% of 3 s).
    let late = TaskETA.running(
      Phase(name: "embedding", status: .running, elapsed: 6, fraction: 0.9), usual: 3)
    #expect(close(late, 0.9 * (6 * 0.1 / 0.9) + 0.1 * 0.3))
    // A count read 1 s ago (the record is rewritten once a second): the rate
    // is taken when it was read, and the second since has been spent.
    let stale = TaskETA.remaining(
      elapsed: 2, phases: [Phase(name: "x", status: .running, elapsed: 1, fraction: 0.25)],
      sinceReport: 1, history: TaskHistory())
    #expect(close(stale, 1 * 0.75 / 0.25 - 1))
    let silent = TaskETA.remaining(
      elapsed: 60, phases: [], fraction: 0.5, sinceReport: 50, history: TaskHistory())
    #expect(silent == 0, "10 s of work for 10 s left, 50 s ago")
    // Without items, the usual duration less the time spent, never below zero.
    #expect(
      TaskETA.running(Phase(name: "x", status: .running, elapsed: 5), usual: 3) == 0)
  }

  @Test func withoutPhaseHistoryTheSharesOfTheTaskOrOfThisRunDecide() {
    // The task's usual 10 s, embedding's declared share 0.6: 6 s.
    let byTask = TaskETA.remaining(
      elapsed: 0,
      phases: [Phase(name: "embedding", status: .pending, share: 0.6)],
      history: TaskHistory(seconds: 10))
    #expect(close(byTask, 6))
    // A first run, a tenth into loading (share 0.1) after 0.5 s: 50 s per
    // share, so loading's remaining 0.09 share and embedding's 0.6 take 34.5 s.
    let early = TaskETA.remaining(
      elapsed: 0.5,
      phases: [
        Phase(name: "loading", status: .running, elapsed: 0.5, share: 0.1, fraction: 0.1),
        Phase(name: "embedding", status: .pending, share: 0.6),
      ], history: TaskHistory())
    #expect(close(early, 4.5 + 30))
    // No history at all: loading (share 0.1) took 2 s, so embedding (0.6) takes 12.
    let byRun = TaskETA.remaining(
      elapsed: 2,
      phases: [
        Phase(name: "loading", status: .completed, elapsed: 2, share: 0.1),
        Phase(name: "embedding", status: .pending, share: 0.6),
      ], history: TaskHistory())
    #expect(close(byRun, 12))
  }

  @Test func historyIsTheMedianOfCompletedPhases() {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    func run(_ seconds: Double, status: PhaseStatus = .completed) -> [PhaseRecord] {
      [
        PhaseRecord(
          name: "embedding", status: status, startedAt: t0,
          finishedAt: t0.addingTimeInterval(seconds))
      ]
    }
    let history = TaskHistory(
      durations: [5, 6, 7], phases: [run(3), run(2), run(100, status: .failed), run(4)])
    #expect(history.seconds == 6)
    #expect(history.phaseSeconds == ["embedding": 3])
  }
}

@Suite struct RunETATests {
  @Test func theRunEndsWithItsLongestChainOfWorkLeft() {
    let tasks = [
      RunETA.Task(name: "load", dependsOn: [], status: .completed, usual: 50),
      RunETA.Task(name: "embed", dependsOn: ["load"], status: .running, remaining: 2, usual: 9),
      RunETA.Task(name: "index", dependsOn: ["embed"], status: .pending, usual: 3),
      RunETA.Task(name: "thumbs", dependsOn: ["load"], status: .pending, usual: 4),
    ]
    #expect(RunETA.remaining(tasks) == .init(seconds: 5, unknown: []))
    var longer = tasks
    longer[3].usual = 8
    #expect(RunETA.remaining(longer)?.seconds == 8)
  }

  @Test func tasksWithoutHistoryAreNamedAndCountAsNothing() {
    let tasks = [
      RunETA.Task(name: "a", dependsOn: [], status: .running, remaining: 2),
      RunETA.Task(name: "b", dependsOn: ["a"], status: .pending),
    ]
    #expect(RunETA.remaining(tasks) == .init(seconds: 2, unknown: ["b"]))
    #expect(RunETA.remaining([RunETA.Task(name: "b", dependsOn: [], status: .pending)]) == nil)
    #expect(
      RunETA.remaining([RunETA.Task(name: "a", dependsOn: [], status: .completed, usual: 1)])
        == nil, "nothing left")
  }

  @Test func aCycleInDamagedInputEndsTheWalk() {
    let tasks = [
      RunETA.Task(name: "a", dependsOn: ["b"], status: .pending, usual: 1),
      RunETA.Task(name: "b", dependsOn: ["a"], status: .pending, usual: 1),
    ]
    #expect(RunETA.remaining(tasks) != nil)
  }

  @Test func workDoneWeighsTasksByTheirUsualDuration() {
    #expect(RunETA.workDone([(usual: 9, done: 1), (usual: 1, done: 0)]) == 0.9)
    #expect(RunETA.workDone([(usual: nil, done: 1), (usual: nil, done: 0.5)]) == 0.75)
    #expect(RunETA.workDone([]) == nil)
  }

  @Test func aRunningRecordGivesBothLevels() {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    var load = TaskRecord(name: "load", task: "load", source: nil, dependsOn: [], logFile: "l")
    load.status = .completed
    var embed = TaskRecord(
      name: "embed", task: "embed", source: nil, dependsOn: ["load"], logFile: "e")
    embed.status = .running
    embed.startedAt = t0
    var tracker = PhaseTracker(
      declared: [DeclaredPhase(name: "chunking"), DeclaredPhase(name: "embedding", weight: 3)])
    tracker.enter("chunking", at: t0)
    tracker.enter("embedding", at: t0.addingTimeInterval(1))
    embed.phases = tracker.phases
    var index = TaskRecord(
      name: "index", task: "index", source: nil, dependsOn: ["embed"], logFile: "i")
    index.status = .pending
    let tasks = [load, embed, index]
    let record = RunRecord(
      schemaVersion: 1, runId: "run_20270115_080000_1", pipeline: "p", pipelineFile: "p",
      pipelineSha256: "", status: .running, startedAt: t0, updatedAt: t0, host: "h",
      pid: 1, user: "u", trigger: .manual, sourceFilter: [], orchestrateVersion: "0",
      maxParallel: 1, counts: TaskCounts(tasks), tasks: tasks)
    let history = [
      "load": TaskHistory(seconds: 2),
      "embed": TaskHistory(seconds: 4, phaseSeconds: ["chunking": 1, "embedding": 3]),
      "index": TaskHistory(seconds: 2),
    ]
    let estimate = RunProgressEstimate(
      record, now: t0.addingTimeInterval(2), history: history, elapsed: { _ in 2 })
    #expect(estimate.tasks["embed"]?.phaseNumber == 2 && estimate.tasks["embed"]?.phaseCount == 2)
    #expect(estimate.tasks["embed"]?.remaining == 2, "embedding: 3 s usual, 1 s spent")
    #expect(estimate.remaining == 4, "embed's 2 s, then index's 2")
    #expect(estimate.tasksFinished == 1 && estimate.tasksTotal == 3)
    // load 2 of 2, embed 2 of 4 seconds, index 0 of 2: 4 of 8.
    #expect(estimate.workDone == 0.5)
  }
}
