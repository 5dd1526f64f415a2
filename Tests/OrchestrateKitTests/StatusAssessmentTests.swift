import Foundation
import Testing

@testable import OrchestrateStatus

@Suite struct StatusAssessmentTests {
  let day = 86400.0

  /// `count` daily completed runs ending yesterday, then `extra`.
  func history(_ count: Int, now: Date, extra: [RunRecord] = []) -> [RunRecord] {
    (0..<count).map { index in
      SyntheticRuns.record(
        index, startedAt: now.addingTimeInterval(-Double(count - index) * day),
        duration: 60 + Double(index % 3))
    } + extra
  }

  @Test func percentilesInterpolateLikePythonsMedian() {
    #expect(Percentile.of([3, 1, 2], 50) == 2)
    #expect(Percentile.of([4, 1, 3, 2], 50) == 2.5)
    #expect(Percentile.of([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 95) == 10.5)
    #expect(Percentile.of([7], 95) == 7)
    #expect(Percentile.of([], 50) == nil)
  }

  @Test func aHealthyDailyPipelineIsOK() {
    let now = Date()
    let status = PipelineAssessment(history(10, now: now), now: now).assess()
    #expect(status.health.level == .ok, "\(status.health.problems)")
    #expect(status.window.runs == 7)
    #expect(status.window.completed == 7)
    #expect(status.window.successRate == 1)
    #expect(status.window.durationP50Seconds == 61)
    #expect(status.totalRuns == 10)
    #expect(status.failingSince == nil)
    #expect(status.tasks.count == 8)
    #expect(status.tasks[0].runs == 7)
  }

  @Test func theWindowCountsOnlyRecentRuns() {
    let now = Date()
    let status = PipelineAssessment(history(30, now: now), now: now, windowDays: 3).assess()
    #expect(status.window.runs == 3)
    #expect(status.totalRuns == 30)
  }

  @Test func failedRunsAreCriticalAndSayWhenFailingStarted() {
    let now = Date()
    let failed = (1...2).map { index in
      SyntheticRuns.record(
        20 + index, status: .failed,
        startedAt: now.addingTimeInterval(-Double(3 - index) * 3600))
    }
    let status = PipelineAssessment(history(5, now: now, extra: failed), now: now).assess()
    #expect(status.health.level == .critical)
    #expect(status.failingSince?.runId == failed[0].runId)
    #expect(status.failingSince?.runs == 2)
    #expect(status.lastRun?.notCompleted.count == 8)
    #expect(status.window.successRate == 5.0 / 7.0)
  }

  @Test func aPartialLastRunIsAWarning() {
    let now = Date()
    let partial = SyntheticRuns.record(
      99, status: .partial, startedAt: now.addingTimeInterval(-3600),
      tasks: [("a", .completed, 1), ("b", .failed, 1)])
    let status = PipelineAssessment(history(5, now: now, extra: [partial]), now: now).assess()
    #expect(status.health.level == .warning)
    #expect(
      status.health.problems.map(\.message) == [
        "last run \(partial.runId) partial: 1 of 2 tasks not completed"
      ])
  }

  @Test func noSuccessWithinMaxAgeIsCritical() {
    let now = Date()
    let old = history(5, now: now.addingTimeInterval(-2 * day))
    let status = PipelineAssessment(old, now: now).assess()
    #expect(status.lastSuccess != nil)
    #expect(status.health.level == .critical)
    #expect(status.health.problems.first?.message.contains("max_age") == true)
  }

  @Test func noRunsAtAllIsUnknown() {
    let status = PipelineAssessment([], now: Date()).assess()
    #expect(status.health.level == .unknown)
  }

  @Test func aTaskTwiceAsSlowAsUsualIsAWarning() {
    let now = Date()
    var tasks = (1...8).map { ("task\($0)", TaskStatus.completed, 7.0) }
    tasks[2].2 = 20
    let slow = SyntheticRuns.record(99, startedAt: now.addingTimeInterval(-60), tasks: tasks)
    let status = PipelineAssessment(history(6, now: now, extra: [slow]), now: now).assess()
    #expect(status.tasks.filter(\.slow).map(\.name) == ["task3"])
    #expect(status.health.level == .warning)
  }

  @Test func aRunWhoseOrchestratorIsGoneIsAbandoned() {
    let now = Date()
    let crashed = SyntheticRuns.record(
      99, status: .running, startedAt: now.addingTimeInterval(-600),
      tasks: [("a", .completed, 1), ("b", .running, 0)])
    let status = PipelineAssessment(
      history(5, now: now, extra: [crashed]), now: now, liveness: { _ in .gone }
    ).assess()
    #expect(status.abandoned.map(\.runId) == [crashed.runId])
    #expect(status.running.isEmpty)
    #expect(status.lastRun?.status == .abandoned)
    #expect(status.health.level == .critical)
    #expect(status.health.problems.count == 1, "abandoned once, not also as the last run")
  }

  @Test func anotherHostsRunIsAbandonedOnlyAfterSilence() {
    let now = Date()
    let quiet = SyntheticRuns.record(
      99, status: .running, startedAt: now.addingTimeInterval(-600),
      tasks: [("a", .running, 0)])
    let recent = PipelineAssessment([quiet], now: now, liveness: { _ in .unknown }).assess()
    #expect(recent.running.count == 1)
    let later = PipelineAssessment(
      [quiet], now: now.addingTimeInterval(7 * 3600), liveness: { _ in .unknown }
    ).assess()
    #expect(later.abandoned.count == 1)
  }

  @Test func aRunLongerThanThreeTimesItsP95IsStuck() {
    let now = Date()
    let live = SyntheticRuns.record(
      99, status: .running, startedAt: now.addingTimeInterval(-200),
      tasks: [("task1", .running, 0)])
    let status = PipelineAssessment(
      history(10, now: now, extra: [live]), now: now, liveness: { _ in .alive }
    ).assess()
    #expect(status.stuckAfterSeconds == 3 * 62, "3 × p95 of the completed runs")
    let run = try! #require(status.running.first)
    #expect(run.stuck)
    #expect(run.tasks.first?.stuck == true, "task1 usually takes 7s; floor is 60s")
    #expect(status.health.level == .critical)
  }

  @Test func aPausedRunIsPausedNotStuckAndAWarningOncePausedTooLong() {
    let now = Date()
    // Long past its usual 62 s, but paused for the last 20 minutes.
    var live = SyntheticRuns.record(
      99, status: .running, startedAt: now.addingTimeInterval(-1500),
      tasks: [("task1", .running, 0)])
    live.pausedSince = now.addingTimeInterval(-1200)
    live.pausedSeconds = 30
    let assess = { (record: RunRecord) in
      PipelineAssessment(
        self.history(10, now: now, extra: [record]), now: now, liveness: { _ in .alive }
      ).assess()
    }
    let status = assess(live)
    let run = try! #require(status.running.first)
    #expect(!run.stuck)
    #expect(run.tasks.allSatisfy { !$0.stuck })
    #expect(run.pausedSince == live.pausedSince)
    #expect(abs((run.pausedSeconds ?? 0) - 1230) < 5)
    #expect(status.pausedAfterSeconds == 3600)
    #expect(status.health.level == .ok, "\(status.health.problems)")
    let table = StatusTable.render(
      StatusReport(
        generatedAt: now, root: "/r", windowDays: 7, health: status.health, pipelines: [status],
        unreadableFiles: []), showTasks: false, style: TerminalStyle(colors: false), width: 200)
    #expect(table.contains("PAUSED since"), "\(table)")
    #expect(!table.contains("STUCK"), "\(table)")

    // Past the pipeline's paused_after (10 minutes): a warning naming the way out.
    live.pausedAfterSeconds = 600
    let long = assess(live)
    #expect(long.health.level == .warning)
    #expect(
      long.health.problems.contains {
        $0.message.hasPrefix("run \(live.runId) paused for 20m")
          && $0.message.hasSuffix("orchestrate resume \(live.runId)")
      }, "\(long.health.problems)")

    // status --notify tells channels that want `paused` of it, once past paused_after.
    let told = StatusNotifier.occurrences(long, now: now).filter { $0.event == .paused }
    #expect(told.map(\.key) == ["paused:\(live.runId)"])
    #expect(StatusNotifier.occurrences(status, now: now).allSatisfy { $0.event != .paused })

    // Resumed: the time paused does not count towards stuck, the rest does.
    live.pausedSince = nil
    live.pausedSeconds = 1230
    #expect(assess(live).running.first?.stuck == true, "270 s not paused, over 3 × 62 s")
    live.pausedSeconds = 1460
    #expect(assess(live).running.first?.stuck == false, "40 s not paused")
  }

  @Test func aJobWaitingInTheClusterQueueIsQueuedNotStuck() {
    let now = Date()
    var live = SyntheticRuns.record(
      99, status: .running, startedAt: now.addingTimeInterval(-5000),
      tasks: [("transform", .running, 0)])
    var attempt = AttemptRecord(number: 1, startedAt: now.addingTimeInterval(-4000))
    attempt.noteSubmitted(to: "slurm", job: "77", state: "PENDING")
    live.tasks[0].attempts = [attempt]
    let status = PipelineAssessment(
      history(10, now: now, extra: [live]), now: now, liveness: { _ in .alive }
    ).assess()
    let task = try! #require(status.running.first?.tasks.first)
    #expect(task.queued)
    #expect(!task.stuck)
    #expect(abs(task.elapsedSeconds - 4000) < 5)
    #expect(
      StatusTable.runningTask(task, style: TerminalStyle(colors: false)).hasPrefix(
        "transform  queued "))

    // Once it left the queue, its time counts: an hour past its usual is stuck.
    live.tasks[0].attempts[0].queuedSeconds = 10
    let started = PipelineAssessment(
      history(10, now: now, extra: [live]), now: now, liveness: { _ in .alive }
    ).assess()
    #expect(started.running.first?.tasks.first?.queued == false)
    #expect(started.running.first?.tasks.first?.stuck == true)
  }

  @Test func aRunningTasksResourcesGiveWayToItsProgressOnANarrowTerminal() {
    var task = PipelineStatus.RunningTask(
      name: "load", elapsedSeconds: 65,
      progress: TaskProgress(
        done: 3, total: 6, message: "file 3 of 6", phase: nil, updatedAt: Date()),
      etaSeconds: nil, stuckAfterSeconds: 3600, stuck: false)
    task.resources = LiveResources(
      sampledAt: Date(), processes: 1, rssBytes: 212 << 20, cpuPercent: 98, cpuSeconds: 60,
      readBytes: 4096, writeBytes: 200 << 20)
    let style = TerminalStyle(colors: false)
    #expect(
      StatusTable.runningTask(task, style: style)
        == "load  1m05s  rss 212.0 MiB  cpu 98%  r 4.0 KiB  w 200.0 MiB  3/6  50%  file 3 of 6")
    #expect(
      StatusTable.runningTask(task, style: style, width: 60)
        == "load  1m05s  rss 212.0 MiB  cpu 98%  3/6  50%  file 3 of 6")
  }

  @Test func withoutHistoryStuckMeansSixHours() {
    let now = Date()
    let live = SyntheticRuns.record(
      1, status: .running, startedAt: now.addingTimeInterval(-5 * 3600),
      tasks: [("a", .running, 0)])
    let status = PipelineAssessment([live], now: now, liveness: { _ in .alive }).assess()
    #expect(status.stuckAfterSeconds == 6 * 3600)
    #expect(status.running.first?.stuck == false)
    #expect(status.health.level == .warning, "never succeeded, but a run is under way")
  }

  @Test func anomaliesOfTheLastRunAreWarnings() {
    let now = Date()
    var last = SyntheticRuns.record(99, startedAt: now.addingTimeInterval(-60))
    last.anomalies = [Anomaly(task: "task1", field: "documents_loaded", value: 12, median: 1500)]
    let status = PipelineAssessment(history(5, now: now, extra: [last]), now: now).assess()
    #expect(status.health.level == .warning)
    #expect(status.lastRun?.anomalies.count == 1)
  }

  @Test func checkLineAndPrometheusNameTheProblem() {
    let now = Date()
    let failed = SyntheticRuns.record(99, status: .failed, startedAt: now.addingTimeInterval(-60))
    let pipeline = PipelineAssessment(history(5, now: now, extra: [failed]), now: now).assess()
    let report = StatusReport(
      generatedAt: now, root: "/r", windowDays: 7,
      health: Health(problems: pipeline.health.problems), pipelines: [pipeline],
      unreadableFiles: [])
    #expect(HealthCheckLine.render(report).hasPrefix("ORCHESTRATE CRITICAL - last run run_"))
    let text = PrometheusText.render(report)
    #expect(text.contains("orchestrate_last_run_status{pipeline=\"p\",status=\"failed\"} 1\n"))
    #expect(text.contains("orchestrate_health{pipeline=\"p\"} 2\n"))
    #expect(text.contains("orchestrate_task_failures{pipeline=\"p\",task=\"task1\"} 1\n"))
  }

  /// Nagios keeps 8 KB of a plugin's output: 500 pipelines, each with a
  /// problem, still fit, the troubled ones' figures first.
  @Test func checkOutputStaysWithinNagiosLimitAtScale() throws {
    let now = Date()
    let failed = SyntheticRuns.record(99, status: .failed, startedAt: now.addingTimeInterval(-60))
    let troubled = PipelineAssessment(history(5, now: now, extra: [failed]), now: now).assess()
    let healthy = PipelineAssessment(history(5, now: now), now: now).assess()
    let pipelines = (0..<500).map { index -> PipelineStatus in
      var pipeline = index % 2 == 0 ? troubled : healthy
      pipeline.name = "pipeline_\(String(printf: "%03d", index))"
      return pipeline
    }.sorted { ($0.health.level, $1.name) > ($1.health.level, $0.name) }
    let report = StatusReport(
      generatedAt: now, root: "/r", windowDays: 7,
      health: Health(
        problems: pipelines.flatMap { pipeline in
          pipeline.health.problems.map {
            Health.Problem(level: $0.level, message: "\(pipeline.label): \($0.message)")
          }
        }), pipelines: pipelines, unreadableFiles: [])
    let text = HealthCheckLine.render(report)
    #expect(text.utf8.count <= HealthCheckLine.outputLimit)
    let lines = text.split(separator: "\n").map(String.init)
    #expect(lines[0].utf8.count < 600, "\(lines[0])")
    #expect(lines[0].contains("'pipelines_critical'=250;;;0"), "\(lines[0])")
    #expect(lines.contains { $0.hasPrefix("… ") && $0.hasSuffix("status --json gives them all") })
    let note = try #require(lines.firstIndex { $0.hasPrefix("performance data of ") })
    #expect(lines[note + 1].hasPrefix("| 'pipeline_000_last_duration'="), "\(lines[note + 1])")
    #expect(lines.filter { $0.contains("|") }.count == 2, "the first line's and the figures'")

    // A few pipelines: everything is there.
    var few = report
    few.pipelines = Array(pipelines.prefix(3))
    few.health = Health(problems: Array(report.health.problems.prefix(3)))
    let whole = HealthCheckLine.render(few).split(separator: "\n")
    #expect(whole.count == 1 + 3 + 3)
    #expect(!whole.contains { $0.hasPrefix("performance data of") })
  }
}
