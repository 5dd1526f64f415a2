import Foundation
import OrchestrateKit
import TestSupport
import Testing

/// `state:` as a user sees it across runs: what a task finds in
/// $ORCHESTRATE_STATE_DIR, what is committed when, and `orchestrate state`.
@Suite(.serialized) struct TaskStateTests {
  /// A counter kept in the state; `fail`, `hang` and `slow` in the root
  /// make the task fail after writing, hang until killed, or outlive its timeout.
  static func counter(_ root: TestRoot, keep: String = "true") -> String {
    root.write(
      "pipelines/p.yaml",
      """
      tasks:
        - name: count
          state: \(keep)
          timeout: 20s
          kill_grace: 1s
          run: |
            echo "dir $ORCHESTRATE_STATE_DIR"
            n=$(cat "$ORCHESTRATE_STATE_DIR/n" 2>/dev/null || echo 0)
            echo "was $n"
            ls "$ORCHESTRATE_STATE_DIR" | grep -q "junk-$ORCHESTRATE_RUN_ID" && echo "junk seen"
            echo $((n + 1)) > "$ORCHESTRATE_STATE_DIR/n"
            touch "$ORCHESTRATE_STATE_DIR/junk-$ORCHESTRATE_RUN_ID-$ORCHESTRATE_ATTEMPT"
            if [ -e hang ]; then touch started; while true; do sleep 1; done; fi
            test ! -e fail
      """)
  }

  func current(_ root: TestRoot, _ state: String = "count") -> String? {
    root.read("metrics/p/state/\(state)/current/n")?.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  func work(_ root: TestRoot, _ state: String = "count") -> [String] {
    (try? FileManager.default.contentsOfDirectory(
      atPath: "\(root.path)/metrics/p/state/\(state)/.work"))
      ?? []
  }

  func log(_ root: TestRoot, _ record: RunRecord, _ task: String = "count") -> String {
    root.read(record.task(task)?.logFile ?? "") ?? ""
  }

  @Test func aCompletedTaskCommitsAndTheNextRunStartsFromIt() throws {
    let root = TestRoot()
    let file = Self.counter(root)
    let first = try Orchestrate.run([file])
    #expect(first.exitCode == 0, "\(first.stderr)")
    #expect(current(root) == "1")
    let second = try Orchestrate.run([file])
    #expect(second.exitCode == 0, "\(second.stderr)")
    #expect(current(root) == "2")
    let records = try root.records("p")
    let output = log(root, records[1])
    #expect(output.contains("was 1"))
    // The task wrote a private copy, not the committed version.
    #expect(output.contains("dir \(root.path)/metrics/p/state/count/.work/\(records[1].runId)."))
    #expect(
      records[0].task("count")?.state == TaskStateRecord(from: nil, committed: records[0].runId))
    #expect(
      records[1].task("count")?.state
        == TaskStateRecord(from: records[0].runId, committed: records[1].runId))
    #expect(work(root).isEmpty)
  }

  @Test func aFailedTaskLeavesTheStateAndEachRetryStartsFromAFreshCopy() throws {
    let root = TestRoot()
    let file = Self.counter(root)
    try Orchestrate.run([file])
    root.write("fail", "")
    let failing = root.write(
      "pipelines/p.yaml", (root.read("pipelines/p.yaml") ?? "") + "\n    retries: 1\n")
    let failed = try Orchestrate.run([failing])
    #expect(failed.exitCode == 1)
    #expect(current(root) == "1")
    let record = try root.records("p")[1]
    let task = try #require(record.task("count"))
    #expect(task.status == .failed && task.attempts.count == 2)
    #expect(task.state == TaskStateRecord(from: try root.records("p")[0].runId, committed: nil))
    let retry = root.read(task.attempts[1].logFile ?? "") ?? ""
    #expect(retry.contains("was 1") && !retry.contains("junk seen"), "\(retry)")
    let kept = try FileManager.default.contentsOfDirectory(
      atPath: "\(root.path)/metrics/p/state/count/current")
    #expect(!kept.contains { $0.contains(record.runId) }, "\(kept)")
    #expect(work(root).isEmpty)
  }

  @Test func aTimedOutTaskLeavesTheState() throws {
    let root = TestRoot()
    try Orchestrate.run([Self.counter(root)])
    let file = root.write(
      "pipelines/p.yaml",
      (root.read("pipelines/p.yaml") ?? "").replacingOccurrences(
        of: "timeout: 20s", with: "timeout: 0.5s"))
    root.write("hang", "")
    let run = try Orchestrate.run([file])
    #expect(run.exitCode == 1)
    #expect(try root.records("p")[1].task("count")?.status == .timedOut)
    #expect(current(root) == "1")
    #expect(work(root).isEmpty)
  }

  @Test func aKilledOrchestratorLeavesTheOldStateAndNoHalfMadeCopy() throws {
    let root = TestRoot()
    let file = Self.counter(root)
    try Orchestrate.run([file])
    root.write("hang", "")
    let run = try Orchestrate.start([file])
    try root.waitFor("started")
    run.signal(SIGKILL)
    _ = run.wait()
    // The task wrote 2 into its copy and never completed.
    #expect(current(root) == "1")
    #expect(work(root).count == 1)
    try FileManager.default.removeItem(atPath: "\(root.path)/hang")
    let next = try Orchestrate.run([file])
    #expect(next.exitCode == 0, "\(next.stderr)")
    let records = try root.records("p")
    #expect(records.count == 3)
    #expect(records[1].status == .abandoned)
    #expect(records[1].task("count")?.state?.committed == nil)
    #expect(records[2].task("count")?.state?.from == records[0].runId)
    #expect(log(root, records[2]).contains("was 1"))
    #expect(current(root) == "2")
    #expect(work(root).isEmpty)
    let versions = try FileManager.default.contentsOfDirectory(
      atPath: "\(root.path)/metrics/p/state/count/versions")
    #expect(Set(versions) == [records[0].runId, records[2].runId])
  }

  /// SIGKILL at random moments, commits included: after each, every
  /// state's `current` names a whole version (both files of a step, written
  /// apart, agree), its counter never goes back, and the next whole run
  /// leaves no copy behind.
  @Test func killedAtRandomMomentsCurrentIsAlwaysAWholeVersion() throws {
    let root = TestRoot()
    var tasks = ""
    for index in 1...4 {
      tasks += """
          - name: t\(index)
            state: {keep: 3}
            run: |
              n=$(cat "$ORCHESTRATE_STATE_DIR/a" 2>/dev/null || echo 0)
              echo $((n + 1)) > "$ORCHESTRATE_STATE_DIR/a"
              sleep 0.0\(index)
              cp "$ORCHESTRATE_STATE_DIR/a" "$ORCHESTRATE_STATE_DIR/b"

        """
    }
    let file = root.write("pipelines/p.yaml", "max_parallel: 2\ntasks:\n" + tasks)
    var generator = SystemRandomNumberGenerator()
    var last: [String: Int] = [:]
    func check() throws {
      for index in 1...4 {
        let state = "metrics/p/state/t\(index)/current"
        guard root.exists(state) else { continue }
        let a = try #require(root.read("\(state)/a"), "\(state)/a missing")
        let b = try #require(root.read("\(state)/b"), "\(state)/b missing")
        #expect(a == b, "t\(index): a mix of versions")
        let n = Int(a.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        #expect(n >= last["t\(index)", default: 0], "t\(index) went back")
        last["t\(index)"] = n
      }
    }
    for _ in 0..<15 {
      let run = try Orchestrate.start([file])
      usleep(UInt32.random(in: 0...250_000, using: &generator))
      run.signal(SIGKILL)
      _ = run.wait()
      try check()
    }
    let whole = try Orchestrate.run([file])
    #expect(whole.exitCode == 0, "\(whole.stderr)")
    try check()
    for index in 1...4 {
      #expect(work(root, "t\(index)").isEmpty)
      let record = try #require(try root.records("p").last?.task("t\(index)"))
      #expect(record.state?.committed != nil)
    }
    #expect(root.tasksStillAlive().isEmpty)
  }

  /// What a completed task left running writes while it is being stopped
  /// is in the commit: the version is made once they are gone, so nothing
  /// of the task writes to a committed version.
  @Test func theCommitWaitsForWhatTheTaskLeftRunning() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/p.yaml",
      """
      tasks:
        - name: count
          state: true
          run: |
            ( trap 'sleep 1; echo stopped > "$ORCHESTRATE_STATE_DIR/late"; exit 0' TERM
              touch "$ORCHESTRATE_STATE_DIR/.ready"
              while true; do sleep 0.05; done ) &
            while [ ! -e "$ORCHESTRATE_STATE_DIR/.ready" ]; do sleep 0.01; done
            echo main > "$ORCHESTRATE_STATE_DIR/main"
      """)
    let run = try Orchestrate.run([file])
    #expect(run.exitCode == 0, "\(run.stderr)")
    #expect(root.read("metrics/p/state/count/current/main") == "main\n")
    #expect(root.read("metrics/p/state/count/current/late") == "stopped\n")
    let record = try root.onlyRecord("p")
    #expect(record.task("count")?.leftoverProcesses ?? 0 >= 1)
    #expect(record.task("count")?.state?.committed == record.runId)
    #expect(work(root).isEmpty)
  }

  @Test func eachSourceKeepsItsOwnState() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/p.yaml",
      """
      sources: [a, b]
      tasks:
        - name: extract
          for_each_source: true
          state: true
          run: |
            echo "$ORCHESTRATE_SOURCE" >> "$ORCHESTRATE_STATE_DIR/seen"
            test ! -e "fail-$ORCHESTRATE_SOURCE"
      """)
    try Orchestrate.run([file])
    root.write("fail-b", "")
    let second = try Orchestrate.run([file])
    #expect(second.exitCode == 1)
    #expect(root.read("metrics/p/state/extract/a/current/seen") == "a\na\n")
    #expect(root.read("metrics/p/state/extract/b/current/seen") == "b\n")
    let record = try root.records("p")[1]
    #expect(record.task("extract[a]")?.state?.committed == record.runId)
    #expect(record.task("extract[b]")?.state?.committed == nil)
  }

  @Test func keepPrunesOlderVersions() throws {
    let root = TestRoot()
    let file = Self.counter(root, keep: "{keep: 2}")
    let dry = try Orchestrate.run([file, "--dry-run"])
    #expect(dry.stdout.contains("state, keep 2"), "\(dry.stdout)")
    #expect(!root.exists("metrics/p/state"))
    for _ in 1...4 { try Orchestrate.run([file]) }
    let runs = try root.records("p").map(\.runId)
    let versions = try FileManager.default.contentsOfDirectory(
      atPath: "\(root.path)/metrics/p/state/count/versions")
    #expect(versions.sorted() == Array(runs.suffix(2)))
    #expect(current(root) == "4")
  }

  @Test func rollbackMakesAnOlderVersionCurrentAndIsRecorded() throws {
    let root = TestRoot()
    let file = Self.counter(root)
    for _ in 1...3 { try Orchestrate.run([file]) }
    let runs = try root.records("p").map(\.runId)
    let missing = try Orchestrate.run(
      ["state", "p", "count", "--rollback", "run_20000101_000000_1", "--root", root.path])
    #expect(missing.exitCode == 1)
    #expect(missing.stderr.contains("no version run_20000101_000000_1"), "\(missing.stderr)")
    let rollback = try Orchestrate.run(
      ["state", "p", "count", "--rollback", runs[0], "--why", "bad input", "--root", root.path])
    #expect(rollback.exitCode == 0, "\(rollback.stderr)")
    #expect(rollback.stdout.contains("state rolled back from \(runs[2]) to \(runs[0])"))
    #expect(current(root) == "1")
    let ledger = root.read("metrics/p/state/count/changes.log") ?? ""
    let last = try #require(ledger.split(separator: "\n").last)
    let change = try RecordCoding.decoder().decode(StateChange.self, from: Data(last.utf8))
    #expect(change.action == .rollback && change.from == runs[2] && change.to == runs[0])
    #expect(change.why == "bad input" && !change.user.isEmpty)
    let listing = try Orchestrate.run(["state", "p", "--root", root.path])
    #expect(listing.stdout.contains("current: \(runs[0])"))
    #expect(listing.stdout.contains("last rollback:") && listing.stdout.contains("bad input"))

    // Not while a run of the pipeline holds its lock.
    root.write("hang", "")
    let running = try Orchestrate.start([file])
    try root.waitFor("started")
    let locked = try Orchestrate.run(
      ["state", "p", "count", "--rollback", runs[1], "--root", root.path])
    #expect(locked.exitCode == 75, "\(locked.stderr)")
    #expect(locked.stderr.contains("another run of p is in progress"))
    running.signal(SIGTERM)
    _ = running.wait()
    try FileManager.default.removeItem(atPath: "\(root.path)/hang")
    #expect(current(root) == "1")

    try Orchestrate.run([file])
    let next = try root.records("p")[4]
    #expect(next.task("count")?.state?.from == runs[0])
    #expect(log(root, next).contains("was 1"))
    #expect(current(root) == "2")
  }

  @Test func theListingMatchesItsSchemaAndShowsAVersionsFiles() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/p.yaml",
      """
      sources: [a, b]
      tasks:
        - name: extract
          for_each_source: true
          state: {keep: 3}
          run: |
            mkdir -p "$ORCHESTRATE_STATE_DIR/parts"
            printf 12345 > "$ORCHESTRATE_STATE_DIR/parts/checksum"
            date > "$ORCHESTRATE_STATE_DIR/last_processed_at"
        - {name: never, state: true, run: 'exit 1'}
      """)
    try Orchestrate.run([file])
    try Orchestrate.run([file])
    let runs = try root.records("p").map(\.runId)
    let rollback = try Orchestrate.run(
      ["state", "p", "extract", "--source", "a", "--rollback", runs[0], "--root", root.path])
    #expect(rollback.exitCode == 0, "\(rollback.stderr)")
    let json = try Orchestrate.run(["state", "p", "--json", "--root", root.path])
    #expect(json.exitCode == 0, "\(json.stderr)")
    let document = root.write("state.json", json.stdout)
    let check = try system([
      "/usr/bin/python3", Orchestrate.packageRoot + "/scripts/check-json-schema.py",
      Orchestrate.packageRoot + "/docs/state.schema.json", document,
    ])
    #expect(check.status == 0, "\(check.output)")
    let listing = try RecordCoding.decoder().decode(StateListing.self, from: Data(json.stdout.utf8))
    #expect(
      listing.states.map { "\($0.task)/\($0.source ?? "-")" } == [
        "extract/a", "extract/b", "never/-",
      ])
    #expect(listing.states[0].current == runs[0] && listing.states[1].current == runs[1])
    #expect(listing.states[2].current == nil && listing.states[2].versions.isEmpty)
    #expect(listing.states[0].versions.map(\.current) == [true, false])

    let show = try Orchestrate.run(
      ["state", "p", "extract", "--source", "b", "--show", "--root", root.path])
    #expect(show.exitCode == 0, "\(show.stderr)")
    #expect(show.stdout.contains("5 B  parts/checksum"), "\(show.stdout)")
    #expect(show.stdout.contains("last_processed_at"))
    // An older version by its run, as JSON.
    let older = try Orchestrate.run([
      "state", "p", "extract", "--source", "b", "--show", runs[0], "--json", "--root", root.path,
    ])
    #expect(older.exitCode == 0, "\(older.stderr)")
    let files = try RecordCoding.decoder().decode(StateFiles.self, from: Data(older.stdout.utf8))
    #expect(files.version == runs[0] && files.source == "b")
    #expect(files.files.map(\.path) == ["last_processed_at", "parts", "parts/checksum"])
    let missing = try Orchestrate.run([
      "state", "p", "extract", "--source", "b", "--show", "run_20000101_000000_1",
      "--root", root.path,
    ])
    #expect(missing.exitCode == 1 && missing.stderr.contains("no version"), "\(missing.stderr)")
    let ambiguous = try Orchestrate.run([
      "state", "p", "extract", "--show", "current", "--root", root.path,
    ])
    #expect(ambiguous.exitCode == 2)
    #expect(ambiguous.stderr.contains("--source"))
  }
}
