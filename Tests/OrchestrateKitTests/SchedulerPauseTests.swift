import Dispatch
import Foundation
import Testing

@testable import OrchestrateCore
@testable import OrchestrateExecution
@testable import OrchestrateRecords

/// Pausing the scheduler: its attempts are stopped through their executor,
/// nothing starts, a timeout stands still until the resume; the journal
/// and the record say so.
@Suite struct SchedulerPauseTests {
  @Test func aPausedRunStartsNothingAndItsTimeoutsWaitForTheResume() throws {
    let run = try ScheduledRun(
      """
      max_parallel: 2
      tasks:
        - {name: slow, run: x, timeout: 30s, kill_grace: 5s}
        - {name: next, run: x, depends_on: [slow]}
        - {name: other, run: x}
      """)
    run.start()
    #expect(run.executor.waitForStarts(2) == ["slow#1", "other#1"])
    #expect(run.scheduler.queue.sync { run.scheduler.pause() })
    #expect(
      run.executor.waitForSignals(2).sorted() == ["other#1 SIGSTOP", "slow#1 SIGSTOP"])
    let record = run.scheduler.queue.sync { run.scheduler.record }
    #expect(record.pausedSince != nil)
    // Paused twice is refused.
    #expect(!run.scheduler.queue.sync { run.scheduler.pause() })
    // Long past its timeout, and nothing happens; what ends starts nothing.
    run.timers.advance(by: 60)
    run.executor.end("other", .exited(0))
    run.executor.end("slow", .exited(0))
    usleep(100_000)
    #expect(run.executor.starts == ["slow#1", "other#1"])
    #expect(run.executor.signals.count == 2)

    run.scheduler.queue.sync { run.scheduler.resume() }
    #expect(run.executor.waitForStarts(3) == ["slow#1", "other#1", "next#1"])
    #expect(run.executor.signals.count == 2, "nothing left to continue")
    run.executor.end("next", .exited(0))
    let final = try run.finalRecord()
    #expect(final.status == .completed)
    #expect(final.pausedSince == nil)
    #expect(final.pausedSeconds != nil)
    let journal = RunJournal.read(path: run.journalPath)
    #expect(journal.contains { if case .paused(_, 2) = $0 { true } else { false } })
    #expect(journal.contains { if case .resumed = $0 { true } else { false } })
  }

  @Test func aTimeoutThatCameDueWhilePausedRunsOnAfterTheResume() throws {
    let run = try ScheduledRun(
      """
      tasks:
        - {name: slow, run: x, timeout: 30s, kill_grace: 5s}
      """)
    run.start()
    _ = run.executor.waitForStarts(1)
    run.scheduler.queue.sync { _ = run.scheduler.pause() }
    run.timers.advance(by: 40)
    #expect(run.executor.signals == ["slow#1 SIGSTOP"])
    run.scheduler.queue.sync { run.scheduler.resume() }
    #expect(run.executor.waitForSignals(2) == ["slow#1 SIGSTOP", "slow#1 SIGCONT"])
    // Nearly all of its 30 s were left when the run paused.
    run.timers.advance(by: 29)
    #expect(run.executor.signals.count == 2)
    run.timers.advance(by: 1)
    #expect(run.executor.waitForSignals(3).last == "slow#1 SIGTERM")
    let record = try run.finalRecord()
    #expect(record.tasks[0].status == .timedOut)
  }

  @Test func cancellingAPausedRunContinuesItsTasksBeforeSIGTERM() throws {
    let run = try ScheduledRun("tasks: [{name: a, run: x}]")
    run.start()
    _ = run.executor.waitForStarts(1)
    run.scheduler.queue.sync { _ = run.scheduler.pause() }
    run.cancel(signal: SIGTERM)
    #expect(
      run.executor.waitForSignals(3) == ["a#1 SIGSTOP", "a#1 SIGCONT", "a#1 SIGTERM"])
    let record = try run.finalRecord()
    #expect(record.status == .cancelled)
    #expect(record.pausedSince == nil)
  }

  @Test func anExecutorThatCannotPauseRefusesThePauseOfTheWholeRun() throws {
    let commands = CommandExecutor.Commands(
      submit: ["/bin/false"], status: ["/bin/false"], cancel: ["/bin/false"])
    #expect(
      CommandExecutor(
        commands: commands,
        launcher: TaskLauncher(
          layout: RootLayout(root: "/tmp"), pipeline: "p", run: RunID(startedAt: Date(), pid: 1),
          sharedEnvironment: SharedEnvironment([:]), searchPath: "/usr/bin:/bin",
          workingDirectory: "/tmp"), capacity: 1
      ).pauseRefusal
        == "the command executor has no suspend and resume commands: its jobs cannot be paused")
  }
}
