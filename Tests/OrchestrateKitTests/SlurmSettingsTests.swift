import Foundation
import Testing

@testable import OrchestrateExecution
@testable import OrchestrateStatus

@Suite struct SlurmSettingsTests {
  @Test func aTaskTakesThePipelineDefaultsAndOverridesThem() throws {
    let pipeline = try parse(
      """
      executor: slurm
      slurm: {partition: batch, account: omics, cpus: 4, memory: 16G, extra_args: [--qos=normal], max_jobs: 50, result_grace: 10s}
      tasks:
        - {name: a, run: 'true', slurm: {cpus: 16, memory: 64G}, timeout: 90s, kill_grace: 10s}
        - {name: b, run: 'true', executor: local}
      """)
    guard case .slurm(let resources) = pipeline.tasks[0].executor else {
      Issue.record("task a should run on Slurm")
      return
    }
    #expect(resources.partition == "batch")
    #expect(resources.account == "omics")
    #expect(resources.cpus == 16)
    #expect(resources.memory == "64G")
    #expect(resources.extraArgs == ["--qos=normal"])
    #expect(pipeline.tasks[1].executor == .local)
    #expect(pipeline.slurm.maxJobs == 50)
    #expect(pipeline.slurm.resultGrace == .seconds(10))
    // Slurm's limit: the timeout plus the kill grace, rounded up to minutes.
    #expect(SlurmSubmission.minutes(resources: resources, task: pipeline.tasks[0]) == 2)
  }

  @Test func mistakesAreNamedWithTheirTaskAndField() {
    let cases: [(String, String)] = [
      ("tasks:\n  - {name: a, run: x, executor: cloud}\n", "'cloud' is not one of: local, slurm"),
      (
        "tasks:\n  - {name: a, run: x, executor: slurm, slurm: {memory: lots}}\n",
        "tasks[0].slurm.memory: task 'a': 'lots' is not an amount of memory"
      ),
      (
        "tasks:\n  - {name: a, run: x, slurm: {cpus: 2}}\n",
        "tasks[0].slurm: task 'a': 'slurm' needs 'executor: slurm'"
      ),
      (
        "tasks:\n  - {name: a, run: x, executor: slurm, slurm: {max_jobs: 2}}\n",
        "tasks[0].slurm.max_jobs: task 'a': 'max_jobs' applies to the whole run"
      ),
      ("slurm: {max_jobs: 0}\ntasks:\n  - {name: a, run: x}\n", "slurm.max_jobs: must be between"),
      ("slurm: {partiton: a}\ntasks:\n  - {name: a, run: x}\n", "partiton"),
      (
        "tasks:\n  - {name: a, run: x, executor: slurm, slurm: {partition: 'a b'}}\n",
        "'a b' is not a Slurm partition name"
      ),
    ]
    for (text, expected) in cases {
      let error = rejection(text)
      #expect(error?.description.contains(expected) == true, "\(error?.description ?? "accepted")")
      #expect(error?.description.hasPrefix("p.yaml:") == true)
    }
  }

  @Test func theJobScriptQuotesEveryArgumentAndTheNameHoldsTheRun() throws {
    let pipeline = try parse(
      "tasks:\n  - {name: t, executor: slurm, argv: [echo, \"it's\", '$HOME']}\n")
    let plan = try Plan(pipeline: pipeline)
    guard case .slurm(let resources) = plan.steps[0].task.executor else {
      Issue.record("task t should run on Slurm")
      return
    }
    let submission = SlurmSubmission(
      pipeline: "p", run: "run_1", step: plan.steps[0], resources: resources, directory: "/w",
      logPath: "/l/t.log", resultPath: "/l/t.1.result", scriptPath: "/l/t.1.sbatch",
      orchestrate: "/usr/bin/orchestrate", command: ["echo", "it's", "$HOME"])
    #expect(submission.jobName == "orchestrate:p:run_1:t")
    #expect(submission.arguments.last == "/l/t.1.sbatch")
    #expect(submission.arguments.contains("--no-requeue"))
    #expect(
      submission.script.hasSuffix(
        "exec '/usr/bin/orchestrate' 'task-wrapper' '--result' '/l/t.1.result' '--' 'echo' 'it'\\''s' '$HOME'\n"
      ))
  }

  @Test func squeueLinesGiveStateReasonAndNode() {
    let states = SlurmClient.parse(
      "12 RUNNING None vm\n13 PENDING Resources \n14 FAILED NonZeroExitCode n1\n")
    #expect(states["12"] == SlurmClient.JobState(state: "RUNNING", reason: "None", node: "vm"))
    #expect(states["13"]?.node == nil)
    #expect(states["14"]?.state == "FAILED")
  }

  @Test func aResultFileReadsBackAsWritten() {
    let result = TaskResultFile(
      status: .signaled(9),
      usage: ResourceUsage(peakRSSBytes: 1024, userSeconds: 0.5, systemSeconds: 0.25),
      startedAt: Date(timeIntervalSince1970: 1000), finishedAt: Date(timeIntervalSince1970: 1002.5),
      node: "n1", error: "with\ttab")
    #expect(TaskResultFile(line: result.line.dropLast()[...]) == result)
  }
}
