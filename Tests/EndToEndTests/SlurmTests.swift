import Foundation
import OrchestrateKit
import Testing

/// Tasks with `executor: slurm` on a real one-node Slurm cluster
/// (scripts/slurm-local.sh): the same records, logs, exit codes, timeouts,
/// retries, signals and crash clean-up as local tasks.
@Suite(.serialized, .enabled(if: SlurmCluster.isAvailable, SlurmCluster.skipReason))
struct SlurmTests {
  let root = TestRoot()

  func run(_ arguments: [String], timeout: Double = 120) throws -> Invocation {
    try Orchestrate.run(
      arguments + ["--root", root.path], environment: SlurmCluster.environment(),
      timeout: timeout)
  }

  @Test func localAndSlurmTasksWithFanOutKeepRecordsLogsAndExitCodes() throws {
    let file = root.write(
      "pipelines/mixed.yaml",
      """
      sources: [geo, sra]
      slurm: {partition: batch, cpus: 1, memory: 64M}
      tasks:
        - name: prepare
          run: printf 'local\\n'
        - name: transform
          for_each_source: true
          depends_on: [prepare]
          executor: slurm
          slurm: {cpus: 2}
          run: 'printf "%s on %s\\n" "$ORCHESTRATE_SOURCE" "$ORCHESTRATE_TASK"; [ "$ORCHESTRATE_SOURCE" = geo ] || exit 3'
        - name: signalled
          executor: slurm
          run: kill -USR2 $$
        - name: report
          depends_on: [transform]
          run_if: always
          run: echo "$ORCHESTRATE_FAILED_TASKS" > "$ORCHESTRATE_ROOT/failed.txt"
      """)
    let result = try run([file])
    #expect(result.exitCode == 1, "\(result.stderr)")
    let record = try root.onlyRecord("mixed")
    let geo = try #require(record.task("transform[geo]"))
    let sra = try #require(record.task("transform[sra]"))
    #expect(geo.status == .completed)
    #expect(sra.status == .failed)
    #expect(sra.exitCode == 3)
    #expect(sra.reason == "exit 3")
    #expect(record.task("signalled")?.signal == SIGUSR2)
    #expect(record.task("signalled")?.status == .failed)
    #expect(record.task("prepare")?.attempts.first?.jobId == nil)
    let attempt = try #require(geo.attempts.first)
    #expect(attempt.jobId.map { Int($0) != nil } == true)
    #expect(attempt.node == ProcessIdentity.hostName())
    #expect(attempt.queuedSeconds.map { $0 >= 0 } == true)
    #expect(attempt.jobState == "COMPLETED")
    #expect((attempt.peakRssBytes ?? 0) > 0)
    #expect(sra.attempts.first?.jobState == "FAILED")
    // The record, Slurm fields and all, matches its closed schema.
    let schema = try SchemaTests().check(
      "run-record.schema.json", ["\(root.path)/metrics/mixed/\(record.runId).json"])
    #expect(schema.status == 0, "\(schema.output)")
    // Exactly the program's bytes, written by Slurm on the node.
    #expect(root.read(geo.logFile) == "geo on transform[geo]\n")
    #expect(root.read(sra.logFile) == "sra on transform[sra]\n")
    #expect(
      root.read("failed.txt") == "transform[sra],signalled\n"
        || root.read("failed.txt") == "signalled,transform[sra]\n")

    // --source keeps the other source's instance out of the run and its record.
    let only = try run([file, "--source", "geo"])
    #expect(only.exitCode == 1)
    let second = try #require(root.records("mixed").last)
    #expect(second.tasks.map(\.name).contains("transform[geo]"))
    #expect(!second.tasks.map(\.name).contains("transform[sra]"))
    #expect(second.task("transform[geo]")?.status == .completed)
  }

  @Test func aTimeoutCountsFromTheStartAndEndsTheJobWithEverythingItStarted() throws {
    let file = root.write(
      "pipelines/stubborn.yaml",
      """
      tasks:
        - name: stubborn
          executor: slurm
          timeout: 1s
          kill_grace: 1s
          run: 'trap "" TERM; setsid sleep 300 & sleep 300 & echo started; while :; do sleep 1; done'
      """)
    let result = try run([file])
    #expect(result.exitCode == 1, "\(result.stderr)")
    let task = try #require(root.onlyRecord("stubborn").task("stubborn"))
    #expect(task.status == .timedOut)
    #expect(task.attempts.first?.timedOut == true)
    #expect(task.attempts.first?.signal == SIGKILL)
    #expect(root.read(task.logFile) == "started\n")
    try SlurmCluster.waitUntilNoJobs(named: ":stubborn")
    #expect(root.tasksStillAlive().isEmpty)
  }

  @Test func aFailedJobIsRetriedAsANewJob() throws {
    let file = root.write(
      "pipelines/flaky.yaml",
      """
      tasks:
        - name: flaky
          executor: slurm
          retries: 1
          run: 'echo "try $ORCHESTRATE_ATTEMPT"; [ -e "$ORCHESTRATE_ROOT/once" ] || { touch "$ORCHESTRATE_ROOT/once"; exit 1; }'
      """)
    let result = try run([file])
    #expect(result.exitCode == 0, "\(result.stderr)")
    let task = try #require(root.onlyRecord("flaky").task("flaky"))
    #expect(task.status == .completed)
    #expect(task.attempts.map(\.exitCode) == [1, 0])
    let ids = task.attempts.compactMap(\.jobId)
    #expect(ids.count == 2 && ids[0] != ids[1])
    #expect(task.attempts.compactMap { $0.logFile.flatMap(root.read) } == ["try 1\n", "try 2\n"])
  }

  @Test func sigtermCancelsEveryQueuedAndRunningJob() throws {
    // The node has 16 CPUs: the second job waits in the queue for the first.
    let file = root.write(
      "pipelines/long.yaml",
      """
      executor: slurm
      slurm: {cpus: 16}
      tasks:
        - {name: first, kill_grace: 2s, run: 'touch "$ORCHESTRATE_ROOT/running"; exec sleep 300'}
        - {name: second, run: 'exec sleep 300'}
      """)
    let orchestrate = try Orchestrate.start(
      [file, "--root", root.path], environment: SlurmCluster.environment())
    try root.waitFor("running", timeout: 60)
    orchestrate.signal(SIGTERM)
    let result = orchestrate.wait()
    #expect(result.signal == SIGTERM || result.exitCode == 143, "\(result.stderr)")
    let record = try root.onlyRecord("long")
    #expect(record.status == .cancelled)
    #expect(record.task("first")?.status == .cancelled)
    #expect(record.task("second")?.status == .cancelled)
    let run = record.runId
    #expect(try SlurmCluster.activeJobs(named: run).isEmpty)
  }

  @Test func theNextRunCancelsTheJobsOfAKilledOrchestrator() throws {
    let file = root.write(
      "pipelines/orphan.yaml",
      """
      tasks:
        - {name: long, executor: slurm, run: 'touch "$ORCHESTRATE_ROOT/running"; exec sleep 300'}
      """)
    let orchestrate = try Orchestrate.start(
      [file, "--root", root.path], environment: SlurmCluster.environment())
    try root.waitFor("running", timeout: 60)
    orchestrate.signal(SIGKILL)
    _ = orchestrate.wait()
    let dead = try root.onlyRecord("orphan").runId
    #expect(try SlurmCluster.activeJobs(named: dead).count == 1)

    try FileManager.default.removeItem(atPath: "\(root.path)/running")
    root.write("pipelines/orphan.yaml", "tasks:\n  - {name: quick, run: 'true'}\n")
    let next = try run([file])
    #expect(next.exitCode == 0, "\(next.stderr)")
    #expect(try SlurmCluster.activeJobs(named: dead).isEmpty)
    let settled = try #require(root.records("orphan").first { $0.runId == dead })
    #expect(settled.status == .abandoned)
    #expect(settled.reason?.contains("cancelled 1 Slurm job(s)") == true, "\(settled.reason ?? "")")
    #expect(settled.task("long")?.attempts.first?.jobId != nil)
  }

  /// slurmctld goes away while a job runs: the job ends on its node, and
  /// the result its wrapper wrote ends the task although squeue cannot answer.
  @Test func aJobThatEndsWhileSlurmctldIsDownStillEndsItsTask() throws {
    let file = root.write(
      "pipelines/outage.yaml",
      """
      tasks:
        - {name: job, executor: slurm, timeout: 10m,
           run: 'touch "$ORCHESTRATE_ROOT/running"; while [ ! -e "$ORCHESTRATE_ROOT/go" ]; do sleep 0.1; done; echo finished'}
      """)
    let orchestrate = try Orchestrate.start(
      [file, "--root", root.path], environment: SlurmCluster.environment())
    try root.waitFor("running", timeout: 60)
    defer { _ = SlurmCluster.script("start") }
    #expect(SlurmCluster.script("stop-controller") == 0)
    root.write("go", "")
    let ended = orchestrate.wait(timeout: 300)
    #expect(ended.exitCode == 0, "\(ended.stderr)")
    let record = try root.onlyRecord("outage")
    #expect(record.task("job")?.status == .completed)
    #expect(root.read("logs/outage/\(record.runId)/job.log")?.contains("finished") == true)
  }

  /// A job that times out while slurmctld is down cannot be cancelled or
  /// seen to end: the task ends anyway once Slurm has had its time to
  /// confirm, and says why, rather than waiting for slurmctld to return.
  @Test func aTimeoutWhileSlurmctldIsDownStillEndsTheRun() throws {
    let file = root.write(
      "pipelines/unanswered.yaml",
      """
      tasks:
        - {name: job, executor: slurm, timeout: 1s, kill_grace: 1s,
           run: 'while [ ! -e "$ORCHESTRATE_ROOT/stop" ]; do sleep 0.2; done'}
      """)
    let orchestrate = try Orchestrate.start(
      [file, "--root", root.path], environment: SlurmCluster.environment())
    // Its timeout counts from when the run has seen the job start.
    let deadline = Date().addingTimeInterval(60)
    while (try? root.records("unanswered"))?.first?.task("job")?.attempts.last?.jobState
      != "RUNNING"
    {
      try #require(Date() < deadline, "the job was not seen running")
      usleep(50_000)
    }
    defer {
      // The job was never told to stop (scancel could not reach Slurm either).
      root.write("stop", "")
      SlurmCluster.script("start")
    }
    #expect(SlurmCluster.script("stop-controller") == 0)
    try #require(
      (try? SlurmCluster.run(["squeue", "--noheader"])) == "",
      "a slurmctld still answers on this cluster's port")
    let ended = orchestrate.wait(timeout: 300)
    #expect(ended.exitCode == 1, "\(ended.stderr)")
    let task = try #require(try root.onlyRecord("unanswered").task("job"))
    #expect(task.status == .timedOut)
    #expect(task.reason?.contains("Slurm did not answer") == true, "\(String(describing: task))")
  }

  @Test func aPartitionThatDoesNotExistFailsThatTaskWithSlurmsWords() throws {
    let file = root.write(
      "pipelines/nowhere.yaml",
      """
      tasks:
        - {name: lost, executor: slurm, slurm: {partition: nowhere}, run: 'true'}
        - {name: local, run: 'true'}
      """)
    let result = try run([file])
    #expect(result.exitCode == 1)
    let record = try root.onlyRecord("nowhere")
    #expect(record.task("local")?.status == .completed)
    let lost = try #require(record.task("lost"))
    #expect(lost.status == .failed)
    #expect(lost.reason?.contains("Invalid partition") == true, "\(lost.reason ?? "")")
    #expect(lost.reason?.contains("nowhere") == true, "\(lost.reason ?? "")")
    let line = result.stdout.split(separator: "\n").first { $0.contains("failed") }
    #expect(line?.contains("lost") == true, "\(result.stdout)")
    #expect(line?.contains("in partition 'nowhere'") == true, "\(result.stdout)")
  }

  @Test func maxJobsLimitsTheJobsOfARunAtOnce() throws {
    // Two jobs at once would find the directory taken and fail.
    var tasks = ""
    for index in 1...4 {
      tasks +=
        "  - {name: t\(index), run: 'mkdir \"$ORCHESTRATE_ROOT/busy\" || exit 9; sleep 0.3; rmdir \"$ORCHESTRATE_ROOT/busy\"'}\n"
    }
    let file = root.write(
      "pipelines/one.yaml",
      "executor: slurm\nslurm: {max_jobs: 1}\nmax_parallel: 4\ntasks:\n" + tasks)
    let result = try run([file])
    #expect(result.exitCode == 0, "\(result.stderr)")
    #expect(try root.onlyRecord("one").counts.completed == 4)
  }
}

/// What needs no cluster: checking a file that uses Slurm, and its plan.
@Suite struct SlurmDefinitionTests {
  @Test func validateSaysWhichSlurmProgramsAreMissing() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/remote.yaml", "tasks:\n  - {name: t, executor: slurm, run: 'true'}\n")
    let result = try Orchestrate.run(
      ["validate", file], environment: ["PATH": "\(root.path)/empty", "HOME": "/tmp"])
    #expect(result.exitCode == 2)
    #expect(
      result.stderr == "\(file): executor: slurm needs sbatch, squeue, scancel, not found in PATH\n"
    )
  }

  @Test func aDryRunShowsEachSlurmTasksSbatchCommandLine() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/remote.yaml",
      "slurm: {partition: batch, memory: 2G}\ntasks:\n  - {name: t, executor: slurm, run: 'true', timeout: 5m}\n  - {name: l, run: 'true'}\n"
    )
    let result = try Orchestrate.run([file, "--dry-run"])
    #expect(result.exitCode == 0)
    let lines = result.stdout.split(separator: "\n").filter { $0.contains("sbatch") }
    #expect(lines.count == 1)
    #expect(lines.first?.contains("--job-name=orchestrate:remote:<run_id>:t") == true)
    #expect(
      lines.first?.contains("--partition=batch --mem=2G --time=6") == true, "\(result.stdout)")
    #expect(!root.exists("metrics"))
  }
}
