import Foundation
import OrchestrateKit
import Testing

/// The core promise: run a pipeline file from cron, keep going after
/// failures, leave a metrics file and logs that tell what happened.
@Suite(.serialized) struct RunPipelineTests {
  @Test func ingestionExampleEndsPartialFromCronEnvironment() throws {
    let root = TestRoot()
    let result = try Orchestrate.run(
      ["\(Orchestrate.sharedExamples)/ingestion.json", "--root", root.path])
    #expect(result.exitCode == 1, "\(result.stderr)")
    let record = try root.onlyRecord("ingestion")
    #expect(record.status == .partial)
    #expect(record.exitCode == 1)
    let failed = try #require(record.task("ingest_metadata[hathitrust]"))
    #expect(failed.status == .failed)
    #expect(failed.attempts.count == 3)
    #expect(failed.attempts.allSatisfy { $0.exitCode == 3 })
    #expect(failed.error?.contains("HTTP 503 from upstream") == true)
    #expect(record.task("expand_fulltext[hathitrust]")?.status == .skipped)
    #expect(
      record.task("expand_fulltext[hathitrust]")?.reason?.contains("ingest_metadata[hathitrust]")
        == true)
    for name in [
      "init_run", "ingest_metadata[archive_org]", "ingest_metadata[loc]",
      "expand_fulltext[archive_org]", "expand_fulltext[loc]", "finalize",
    ] {
      #expect(record.task(name)?.status == .completed, "\(name)")
    }
    #expect(record.counts.completed == 6 && record.counts.failed == 1 && record.counts.skipped == 1)
    #expect(result.stdout.contains("ingest_metadata[hathitrust]"))
    #expect(result.stdout.contains("metrics: \(root.path)/metrics/ingestion/\(record.runId).json"))
    // Three attempts, each in a log file of its own.
    let logs = try failed.attempts.map { try #require(root.read($0.logFile ?? "")) }
    #expect(logs.count == 3)
    #expect(logs.allSatisfy { $0.components(separatedBy: "HTTP 503 from upstream").count == 2 })
    #expect(
      root.read("logs/ingestion/\(record.runId)/init_run.log")?.contains(
        "run \(record.runId) starting") == true)
  }

  @Test func omicsExampleForOneSourceTouchesOnlyThatSource() throws {
    let root = TestRoot()
    let result = try Orchestrate.run(
      ["\(Orchestrate.sharedExamples)/omics-daily.yaml", "--root", root.path, "--source", "geo"])
    #expect(result.exitCode == 0, "\(result.stderr)")
    let record = try root.onlyRecord("omics-daily")
    #expect(record.status == .completed)
    #expect(record.sourceFilter == ["geo"])
    #expect(record.tasks.map(\.name) == ["prepare", "extract[geo]", "transform", "catalog"])
    #expect(record.task("extract[geo]")?.source == "geo")
    #expect(
      root.read("logs/omics-daily/\(record.runId)/extract[geo].log")?
        .contains("extracted 5000 records from geo") == true)
  }

  @Test func recordHoldsTheDocumentedFields() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/fields.yaml",
      """
      schedule: "0 2 * * *"
      tasks:
        - {name: hello, run: echo hello}
        - {name: broken, run: echo oops >&2; exit 4}
      """)
    let result = try Orchestrate.run([file])
    #expect(result.exitCode == 1)
    let data = try #require(
      FileManager.default.contents(
        atPath: "\(root.path)/metrics/fields/\(try root.onlyRecord("fields").runId).json"))
    let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    for key in [
      "schema_version", "run_id", "pipeline", "pipeline_file", "pipeline_sha256", "status",
      "exit_code", "started_at", "finished_at", "duration_seconds", "host", "pid", "user",
      "trigger", "source_filter", "orchestrate_version", "counts", "tasks",
      "orchestrator_peak_rss_bytes", "process_start_ticks",
    ] {
      #expect(json[key] != nil, "missing \(key)")
    }
    #expect(json["trigger"] as? String == "scheduled")
    #expect(json["schedule"] as? String == "0 2 * * *")
    #expect(json["pipeline_file"] as? String == file)
    let record = try root.onlyRecord("fields")
    #expect(record.runId.hasPrefix("run_") && record.runId.hasSuffix("_\(record.pid)"))
    let broken = try #require(record.task("broken"))
    #expect(broken.exitCode == 4)
    #expect(broken.error == "oops")
    #expect(broken.logFile == "logs/fields/\(record.runId)/broken.log")
    let attempt = try #require(broken.attempts.first)
    #expect(attempt.exitCode == 4 && attempt.timedOut == false && attempt.durationSeconds != nil)
    let hello = try #require(record.task("hello"))
    #expect(root.read(hello.logFile)?.hasSuffix("hello\n") == true)
    #expect(
      root.read("logs/fields/\(record.runId)/orchestrate.log")?.contains("broken failed") == true)
  }

  @Test func failuresStopOnlyTheirDependents() throws {
    let root = TestRoot()
    let file = root.write(
      "p.yaml",
      """
      tasks:
        - {name: a, run: exit 1}
        - {name: b, run: "true"}
        - {name: c, run: "true", depends_on: [a]}
        - {name: d, run: "true", depends_on: [c]}
        - {name: e, run: "true", depends_on: [a, b], run_if: always}
      """)
    let result = try Orchestrate.run([file, "--root", root.path])
    #expect(result.exitCode == 1)
    let record = try root.onlyRecord("p")
    #expect(record.tasks.map(\.status) == [.failed, .completed, .skipped, .skipped, .completed])
    #expect(record.task("d")?.reason == "dependency c skipped")
  }

  @Test func withoutDependenciesTasksRunInFileOrderOneAtATime() throws {
    let root = TestRoot()
    let names = ["zeta", "alpha", "mid", "beta", "omega"]
    let tasks = names.map { "  - {name: \($0), run: echo $ORCHESTRATE_TASK >> order.txt}" }
    let file = root.write("p.yaml", "tasks:\n" + tasks.joined(separator: "\n"))
    let result = try Orchestrate.run([file, "--root", root.path])
    #expect(result.exitCode == 0)
    #expect(root.read("order.txt") == names.map { "\($0)\n" }.joined())
  }

  @Test func maxParallelLetsTasksRunTogether() throws {
    let root = TestRoot()
    // Each task waits until all four have started: only true parallelism passes.
    let barrier =
      #"touch "barrier/$ORCHESTRATE_TASK"; n=0; while [ "$(ls barrier | wc -l)" -lt 4 ]; do n=$((n+1)); [ $n -gt 400 ] && exit 1; sleep 0.05; done"#
    let tasks = (1...4).map { "  - name: t\($0)\n    run: '\(barrier)'" }
    let file = root.write("p.yaml", "tasks:\n" + tasks.joined(separator: "\n"))
    try FileManager.default.createDirectory(
      atPath: "\(root.path)/barrier", withIntermediateDirectories: true)
    let result = try Orchestrate.run(["run", file, "--root", root.path, "--max-parallel", "4"])
    #expect(result.exitCode == 0, "\(result.stdout)")
    #expect(try root.onlyRecord("p").maxParallel == 4)
  }

  @Test func tasksGetTheirEnvironment() throws {
    let root = TestRoot()
    let file = root.write(
      "p.yaml",
      """
      sources: [geo]
      env: {GREETING: hello, OVERRIDDEN: pipeline}
      tasks:
        - name: show
          for_each_source: true
          env: {OVERRIDDEN: task}
          run: env | grep -E '^(ORCHESTRATE_|GREETING|OVERRIDDEN)' | sort > "env-$ORCHESTRATE_SOURCE.txt"
        - name: plain
          run: env | grep -E '^(ORCHESTRATE_|GREETING|OVERRIDDEN|INHERITED)' | sort > env-plain.txt
      """)
    // As if started from a task of another run: its per-task variables must not leak in.
    let inherited = Orchestrate.cronEnvironment([
      "INHERITED": "yes", "GREETING": "inherited", "ORCHESTRATE_SOURCE": "outer",
      "ORCHESTRATE_TASK": "outer",
    ])
    #expect(try Orchestrate.run([file, "--root", root.path], environment: inherited).exitCode == 0)
    let record = try root.onlyRecord("p")
    let lines = (root.read("env-geo.txt") ?? "").split(separator: "\n").map(String.init)
    #expect(lines.count == Set(lines).count, "no variable twice: \(lines)")
    #expect(
      Set(lines).isSuperset(of: [
        "GREETING=hello", "OVERRIDDEN=task", "ORCHESTRATE_RUN_ID=\(record.runId)",
        "ORCHESTRATE_PIPELINE=p", "ORCHESTRATE_TASK=show[geo]", "ORCHESTRATE_ROOT=\(root.path)",
        "ORCHESTRATE_SOURCE=geo", "ORCHESTRATE_ATTEMPT=1",
      ]), "\(lines)")
    let plain = Set((root.read("env-plain.txt") ?? "").split(separator: "\n").map(String.init))
    #expect(plain.contains("INHERITED=yes") && plain.contains("OVERRIDDEN=pipeline"), "\(plain)")
    #expect(plain.contains("ORCHESTRATE_TASK=plain"), "\(plain)")
    #expect(!plain.contains { $0.hasPrefix("ORCHESTRATE_SOURCE=") }, "\(plain)")
  }

  /// A program an earlier task was to provide but did not: a failed task
  /// whose reason names the PATH searched, not a crash, and the run goes on.
  @Test func missingProgramIsAFailedTaskNotACrash() throws {
    let root = TestRoot()
    let file = root.write(
      "p.yaml",
      """
      tasks:
        - {name: tools, run: mkdir tools}
        - name: ghost
          argv: [no-such-program-\(root.marker)]
          env: {PATH: "tools:/usr/bin:/bin"}
          depends_on: [tools]
          retries: 2
        - {name: after, run: "true"}
      """)
    let result = try Orchestrate.run([file, "--root", root.path])
    #expect(result.exitCode == 1)
    let ghost = try #require(try root.onlyRecord("p").task("ghost"))
    #expect(ghost.status == .failed)
    #expect(ghost.attempts.count == 1)
    #expect(
      ghost.reason
        == "command not found: no-such-program-\(root.marker) (searched PATH=tools:/usr/bin:/bin)")
    #expect(try root.onlyRecord("p").task("after")?.status == .completed)
  }

  /// The kernel refuses it only at exec, in the child: still a failed task
  /// with the reason, and the run goes on; beside running tasks, the failed
  /// child is reaped with them and their own exits still reach them.
  @Test(arguments: [1, 3]) func programTheKernelCannotRunIsAFailedTask(maxParallel: Int) throws {
    let root = TestRoot()
    let program = root.write("not-a-program", "just text\n")
    chmod(program, 0o755)
    let file = root.write(
      "p.yaml",
      """
      max_parallel: \(maxParallel)
      tasks:
        - {name: slow, run: "sleep 0.3; exit 4"}
        - {name: text, argv: [\(program)], retries: 1, retry_delay: 0.05}
        - {name: after, run: "sleep 0.1"}
      """)
    let result = try Orchestrate.run([file, "--root", root.path])
    #expect(result.exitCode == 1)
    let record = try root.onlyRecord("p")
    let text = try #require(record.task("text"))
    #expect(text.status == .failed)
    #expect(text.error?.contains("Exec format error") == true, "\(text)")
    #expect(record.task("slow")?.exitCode == 4)
    #expect(record.task("after")?.status == .completed)
  }

  @Test func argvRunsWithoutAShell() throws {
    let root = TestRoot()
    let file = root.write("p.yaml", #"tasks: [{name: a, argv: [printf, "%s|", "$HOME", "a b"]}]"#)
    #expect(try Orchestrate.run([file, "--root", root.path]).exitCode == 0)
    let record = try root.onlyRecord("p")
    #expect(root.read(try #require(record.task("a")).logFile)?.hasSuffix("$HOME|a b|") == true)
  }

  @Test func retriesWaitWithBackoff() throws {
    let root = TestRoot()
    let file = root.write(
      "p.yaml",
      """
      tasks:
        - name: flaky
          run: 'echo "try $ORCHESTRATE_ATTEMPT"; [ "$ORCHESTRATE_ATTEMPT" -ge 3 ]'
          retries: 3
          retry_delay: 0.2s
          retry_backoff: 2
        - {name: once, run: 'printf "only the output"'}
      """)
    #expect(try Orchestrate.run([file, "--root", root.path]).exitCode == 0)
    let record = try root.onlyRecord("p")
    let flaky = try #require(record.task("flaky"))
    #expect(flaky.status == .completed)
    #expect(flaky.attempts.map(\.exitCode) == [1, 1, 0])
    // One file per attempt, holding exactly what the program wrote.
    #expect(
      flaky.attempts.map { $0.logFile.map { ($0 as NSString).lastPathComponent } } == [
        "flaky.log", "flaky.attempt-2.log", "flaky.attempt-3.log",
      ])
    #expect(
      try flaky.attempts.map { try #require(root.read($0.logFile ?? "")) } == [
        "try 1\n", "try 2\n", "try 3\n",
      ])
    #expect(flaky.logFile == flaky.attempts.last?.logFile)
    let onceTask = try #require(record.task("once"))
    #expect(root.read(onceTask.logFile) == "only the output")
    let gaps = zip(flaky.attempts, flaky.attempts.dropFirst()).map {
      $1.startedAt.timeIntervalSince($0.finishedAt!)
    }
    #expect(gaps[0] >= 0.19 && gaps[1] >= 0.39, "\(gaps)")
  }

  @Test func dryRunPrintsThePlanAndWritesNothing() throws {
    let root = TestRoot()
    let result = try Orchestrate.run(
      ["\(Orchestrate.sharedExamples)/omics-daily.yaml", "--root", root.path, "--dry-run"])
    #expect(result.exitCode == 0)
    #expect(result.stdout.contains("extract[biosample]"))
    #expect(result.stdout.contains("after extract[sra], extract[biosample], extract[geo]"))
    #expect(!root.exists("metrics") && !root.exists("logs"))
  }

  @Test func validateChecksWithoutRunning() throws {
    let root = TestRoot()
    let good = try Orchestrate.run(["validate", "\(Orchestrate.sharedExamples)/ingestion.json"])
    #expect(good.exitCode == 0)
    #expect(good.stdout.contains("ok"))
    let file = root.write("bad.yaml", "tasks:\n  - name: a\n    run: x\n    retries: lots\n")
    let bad = try Orchestrate.run(["validate", file])
    #expect(bad.exitCode == 2)
    #expect(bad.stderr == "orchestrate: \(file):4:14: tasks[0].retries: expected a whole number\n")
  }

  @Test func bareNameIsFoundInThePipelinesDirectoryOfTheRoot() throws {
    let root = TestRoot()
    root.write("pipelines/nightly.yaml", "tasks: [{name: a, run: 'true'}]")
    let fromRoot = try Orchestrate.run(["nightly"], directory: root.path)
    #expect(fromRoot.exitCode == 0, "\(fromRoot.stderr)")
    #expect(try root.records("nightly").count == 1)
    let viaEnvironment = try Orchestrate.run(
      ["nightly.yaml"], environment: Orchestrate.cronEnvironment(["ORCHESTRATE_ROOT": root.path]))
    #expect(viaEnvironment.exitCode == 0, "\(viaEnvironment.stderr)")
    #expect(try root.records("nightly").count == 2)
    let missing = try Orchestrate.run(["weekly"], directory: root.path)
    #expect(missing.exitCode == 2)
    #expect(
      missing.stderr.contains("no such pipeline in \(root.path)/pipelines (found: nightly.yaml)"))
  }

  @Test func rootIsTheParentOfAPipelinesDirectory() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/p.json", #"{"tasks": [{"name": "a", "run": "pwd > where.txt"}]}"#)
    #expect(try Orchestrate.run([file], directory: "/").exitCode == 0)
    #expect(try root.records("p").count == 1)
    #expect(root.read("where.txt") == "\(root.path)\n")
  }

  @Test func workingDirectoriesAreRelativeToTheRoot() throws {
    let root = TestRoot()
    try FileManager.default.createDirectory(
      atPath: "\(root.path)/work/sub", withIntermediateDirectories: true)
    let file = root.write(
      "p.yaml",
      """
      working_directory: work
      tasks:
        - {name: top, run: pwd > here.txt}
        - {name: nested, run: pwd > here.txt, working_directory: sub}
        - {name: removed, run: rm -r sub/gone}
        - {name: absent, run: "true", working_directory: sub/gone, depends_on: [removed]}
      """)
    try FileManager.default.createDirectory(
      atPath: "\(root.path)/work/sub/gone", withIntermediateDirectories: true)
    #expect(try Orchestrate.run([file, "--root", root.path]).exitCode == 1)
    #expect(root.read("work/here.txt") == "\(root.path)/work\n")
    #expect(root.read("work/sub/here.txt") == "\(root.path)/work/sub\n")
    #expect(
      try root.onlyRecord("p").task("absent")?.reason?.contains("working directory does not exist")
        == true)
  }

  @Test func usageErrorsExitTwoAndCreateNothing() throws {
    let root = TestRoot()
    let file = root.write("p.yaml", "sources: [a, b]\ntasks: [{name: t, run: 'true'}]")
    let unknownSource = try Orchestrate.run([file, "--root", root.path, "--source", "c"])
    #expect(unknownSource.exitCode == 2)
    #expect(unknownSource.stderr == "orchestrate: --source: unknown source 'c' (sources: a, b)\n")
    let badFlag = try Orchestrate.run([file, "--root", root.path, "--max-parallel", "0"])
    #expect(badFlag.exitCode == 2)
    #expect(badFlag.stderr.contains("--max-parallel"))
    #expect(!root.exists("metrics") && !root.exists("logs"))
  }
}

/// The shipped JSON Schema and the records written stay in step.
@Suite struct RunRecordSchemaTests {
  @Test func recordsCarryEveryRequiredKeyOfTheSchema() throws {
    let root = TestRoot()
    let file = root.write(
      "p.yaml", "tasks: [{name: a, run: 'exit 1', retries: 1, retry_delay: 0.01}]")
    try Orchestrate.run([file, "--root", root.path])
    let schemaData = try Data(
      contentsOf: URL(fileURLWithPath: Orchestrate.packageRoot + "/docs/run-record.schema.json"))
    let schema = try #require(try JSONSerialization.jsonObject(with: schemaData) as? [String: Any])
    let record = try #require(
      try JSONSerialization.jsonObject(
        with: Data(
          contentsOf: URL(
            fileURLWithPath: "\(root.path)/metrics/p/\(root.onlyRecord("p").runId).json")))
        as? [String: Any])
    let properties = try #require(schema["properties"] as? [String: Any])
    for key in try #require(schema["required"] as? [String]) {
      #expect(record[key] != nil, "\(key)")
    }
    for key in record.keys { #expect(properties[key] != nil, "\(key) is not in the schema") }
    let taskSchema = try #require(
      ((properties["tasks"] as? [String: Any])?["items"] as? [String: Any]))
    let taskProperties = try #require(taskSchema["properties"] as? [String: Any])
    let task = try #require((record["tasks"] as? [[String: Any]])?.first)
    for key in try #require(taskSchema["required"] as? [String]) {
      #expect(task[key] != nil, "\(key)")
    }
    for key in task.keys { #expect(taskProperties[key] != nil, "\(key) is not in the schema") }
  }

  @Test func runsTheSameUnderATerminal() throws {
    let root = TestRoot()
    let file = root.write("p.yaml", "tasks: [{name: a, run: 'echo hi'}, {name: b, run: 'exit 3'}]")
    // script(1) gives the orchestrator a pseudo-terminal, as a person's shell would.
    let result = try Orchestrate.run(
      ["-qec", "\(Orchestrate.binary) \(file) --root \(root.path)", "/dev/null"],
      binary: "/usr/bin/script")
    #expect(result.exitCode == 1)
    let record = try root.onlyRecord("p")
    #expect(record.trigger == .manual)
    #expect(record.task("a")?.status == .completed && record.task("b")?.status == .failed)
  }
}
