import Foundation
import OrchestrateKit
import Testing

/// What happens at 2 a.m.: hung tasks, signals, overlapping runs, a killed
/// orchestrator, floods, unwritable directories. Every test checks that no
/// process it started is left behind.
@Suite(.serialized) struct ReliabilityTests {
  @Test func timeoutKillsTheWholeTreeEvenWhenItIgnoresSIGTERM() throws {
    let root = TestRoot()
    let file = root.write(
      "p.yaml",
      """
      max_parallel: 2
      tasks:
        - name: stubborn
          run: trap '' TERM; sleep 300 & sleep 301 & touch started-1; wait  # \(root.marker)
          timeout: 1s
          kill_grace: 1s
        - name: polite
          run: sleep 302 & sleep 303; wait  # \(root.marker)
          timeout: 1s
      """)
    let result = try Orchestrate.run([file, "--root", root.path], timeout: 30)
    #expect(result.exitCode == 1)
    #expect(root.processes().isEmpty, "left running: \(root.processes())")
    let record = try root.onlyRecord("p")
    let stubborn = try #require(record.task("stubborn"))
    #expect(stubborn.status == .timedOut)
    #expect(stubborn.signal == SIGKILL)
    #expect(stubborn.attempts.first?.timedOut == true)
    let polite = try #require(record.task("polite"))
    #expect(polite.status == .timedOut)
    #expect(polite.signal == SIGTERM)
    // Killed after timeout plus grace, not after the sleeps.
    #expect((stubborn.durationSeconds ?? 99) < 10)
  }

  @Test func leftoverProcessesOfAFinishedTaskAreStoppedAndCounted() throws {
    let root = TestRoot()
    let file = root.write(
      "p.yaml",
      """
      tasks:
        - name: leaver
          run: (sleep 300 &) ; (sleep 301 &) ; echo done  # \(root.marker)
          kill_grace: 1s
      """)
    let result = try Orchestrate.run([file, "--root", root.path], timeout: 30)
    #expect(result.exitCode == 0)
    #expect(root.processes().isEmpty)
    let leaver = try #require(try root.onlyRecord("p").task("leaver"))
    #expect(leaver.status == .completed)
    #expect(leaver.leftoverProcesses == 2)
  }

  @Test(arguments: [(SIGTERM, 143), (SIGINT, 130), (SIGHUP, 129)])
  func signalCancelsTheRunAndIsReraised(signal: Int32, status: Int) throws {
    let root = TestRoot()
    let file = root.write(
      "p.yaml",
      """
      max_parallel: 2
      tasks:
        - {name: sleeper, run: "touch ready; sleep 300 # \(root.marker)"}
        - {name: trapper, run: "trap 'echo bye; exit 3' TERM; sleep 301 & wait # \(root.marker)"}
        - {name: later, run: "true", depends_on: [sleeper]}
      """)
    let running = try Orchestrate.start([file, "--root", root.path])
    try root.waitFor("ready")
    try waitUntil { (try? root.records("p").first?.counts.running) == 2 }
    running.signal(signal)
    let result = running.wait(timeout: 30)
    #expect(result.signal == signal, "exit \(String(describing: result.exitCode))")
    #expect(Int(128 + signal) == status)
    #expect(root.processes().isEmpty)
    let record = try root.onlyRecord("p")
    #expect(record.status == .cancelled)
    #expect(record.exitCode == Int32(status))
    #expect(record.task("sleeper")?.status == .cancelled)
    #expect(record.task("trapper")?.status == .cancelled)
    #expect(record.task("trapper")?.error == "bye")
    #expect(record.task("later")?.status == .skipped)
    #expect(record.task("later")?.reason?.hasPrefix("received SIG") == true)
    #expect(record.finishedAt != nil)
  }

  @Test func secondInterruptSkipsTheGrace() throws {
    let root = TestRoot()
    let file = root.write(
      "p.yaml",
      """
      tasks:
        - name: deaf
          run: trap '' TERM INT; touch ready; sleep 300  # \(root.marker)
          kill_grace: 10m
      """)
    let running = try Orchestrate.start([file, "--root", root.path])
    try root.waitFor("ready")
    running.signal(SIGINT)
    try waitUntil {
      root.read("logs/p/\((try? root.records("p").first?.runId) ?? "")/orchestrate.log")?.contains(
        "cancelling") == true
    }
    running.signal(SIGINT)
    let result = running.wait(timeout: 30)
    #expect(result.signal == SIGINT)
    #expect(root.processes().isEmpty)
    #expect(try root.onlyRecord("p").task("deaf")?.status == .cancelled)
  }

  @Test func runTimeoutCancelsRunningAndSkipsPending() throws {
    let root = TestRoot()
    let file = root.write(
      "p.yaml",
      """
      timeout: 1s
      tasks:
        - {name: slow, run: "sleep 300 # \(root.marker)", kill_grace: 1s}
        - {name: next, run: "true"}
      """)
    let result = try Orchestrate.run([file, "--root", root.path], timeout: 30)
    #expect(result.exitCode == 1)
    #expect(root.processes().isEmpty)
    let record = try root.onlyRecord("p")
    #expect(record.status == .failed)
    #expect(record.reason == "run timeout (1s) reached")
    #expect(record.task("slow")?.status == .cancelled)
    #expect(record.task("next")?.status == .skipped)
  }

  @Test func overlappingRunOfTheSamePipelineExits75() throws {
    let root = TestRoot()
    let file = root.write(
      "p.yaml",
      "tasks: [{name: hold, run: 'touch ready; while [ ! -e release ]; do sleep 0.05; done # \(root.marker)'}]"
    )
    let other = root.write("q.yaml", "tasks: [{name: quick, run: 'true'}]")
    let first = try Orchestrate.start([file, "--root", root.path])
    try root.waitFor("ready")
    let second = try Orchestrate.run([file, "--root", root.path])
    #expect(second.exitCode == 75)
    let runId = try root.onlyRecord("p").runId
    #expect(
      second.stderr.hasPrefix(
        "orchestrate: another run of p is in progress: \(runId) (pid \(first.pid), since "))
    #expect(try Orchestrate.run([other, "--root", root.path]).exitCode == 0)
    root.write("release", "")
    #expect(first.wait().exitCode == 0)
    #expect(try root.records("p").count == 1)
  }

  @Test func killedOrchestratorLeavesARunningRecordThatTheNextRunSettles() throws {
    let root = TestRoot()
    let file = root.write(
      "p.yaml", "tasks: [{name: orphan, run: 'touch ready; sleep 300 # \(root.marker)'}]")
    let first = try Orchestrate.start([file, "--root", root.path])
    try root.waitFor("ready")
    try waitUntil { (try? root.records("p").first?.counts.running) == 1 }
    first.signal(SIGKILL)
    _ = first.wait()
    let crashed = try root.onlyRecord("p")
    #expect(crashed.status == .running)
    #expect(crashed.pid == first.pid)
    #expect(crashed.host == ProcessIdentity.hostName())
    #expect(crashed.processStartTicks != nil)
    #expect(root.processes().count == 1, "the task outlives a SIGKILLed orchestrator")
    let status = try Orchestrate.run(["status", "--check", "--root", root.path])
    #expect(status.exitCode == 2)
    #expect(
      status.stdout.hasPrefix("ORCHESTRATE CRITICAL - p: run \(crashed.runId) abandoned"),
      "\(status.stdout)")

    try FileManager.default.removeItem(atPath: "\(root.path)/ready")
    let quick = root.write("p.yaml", "tasks: [{name: orphan, run: 'true'}]")
    let next = try Orchestrate.run([quick, "--root", root.path])
    #expect(next.exitCode == 0, "\(next.stderr)")
    let records = try root.records("p")
    #expect(records.count == 2)
    let settled = try #require(records.first { $0.runId == crashed.runId })
    #expect(settled.status == .abandoned)
    #expect(settled.task("orphan")?.status == .failed)
    #expect(settled.task("orphan")?.reason == "orchestrator died while it ran")
    #expect(
      settled.reason?.contains("process(es) it left running") == true, "\(settled.reason ?? "")")
    try waitUntil { root.processes().isEmpty }
  }

  @Test func resourcesComeFromTheKernel() throws {
    let root = TestRoot()
    let file = root.write(
      "p.yaml",
      """
      tasks:
        - name: hungry
          run: x=$(head -c 150000000 /dev/zero | tr '\\0' a); echo ${#x}
        - name: busy
          run: i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done
      """)
    #expect(try Orchestrate.run([file, "--root", root.path]).exitCode == 0)
    let record = try root.onlyRecord("p")
    let hungry = try #require(record.task("hungry"))
    #expect((hungry.peakRssBytes ?? 0) >= 150_000_000)
    #expect(hungry.attempts.first?.peakRssBytes == hungry.peakRssBytes)
    let busy = try #require(record.task("busy"))
    #expect((busy.cpuUserSeconds ?? 0) + (busy.cpuSystemSeconds ?? 0) > 0.01)
    #expect((record.orchestratorPeakRssBytes ?? 0) > 0)
  }

  @Test func floodOfOutputGoesToTheLogNotIntoMemory() throws {
    let root = TestRoot()
    let bytes = 1_000_000_000
    let file = root.write(
      "p.yaml",
      """
      tasks:
        - {name: flood, run: "head -c \(bytes) /dev/zero | tr '\\\\0' x; echo; echo last line; exit 1"}
      """)
    #expect(try Orchestrate.run([file, "--root", root.path], timeout: 300).exitCode == 1)
    let record = try root.onlyRecord("p")
    let flood = try #require(record.task("flood"))
    let size =
      try FileManager.default.attributesOfItem(atPath: "\(root.path)/\(flood.logFile)")[.size]
      as? Int
    #expect((size ?? 0) > bytes)
    let error = try #require(flood.error)
    #expect(error.hasSuffix("last line"))
    #expect(error.utf8.count <= OutputTail.maximumBytes)
    // Task output never passes through the orchestrator: its memory stays
    // that of an idle process (this debug build: about 30 MB), a small
    // fraction of the gigabyte written, and below the test runner's own
    // peak, which a figure taken from ru_maxrss would have inherited.
    #expect((record.orchestratorPeakRssBytes ?? .max) < 50_000_000)
  }

  @Test func errorHoldsOnlyTheLastLinesOfTheFailedAttempt() throws {
    let root = TestRoot()
    let file = root.write(
      "p.yaml",
      """
      tasks:
        - name: noisy
          run: 'i=0; while [ $i -lt 100 ]; do i=$((i+1)); echo "line $i of $ORCHESTRATE_ATTEMPT"; done; exit 2'
          retries: 1
      """)
    #expect(try Orchestrate.run([file, "--root", root.path]).exitCode == 1)
    let error = try #require(try root.onlyRecord("p").task("noisy")?.error)
    let lines = error.split(separator: "\n")
    #expect(lines.count == 20)
    #expect(lines.first == "line 81 of 2" && lines.last == "line 100 of 2")
  }

  @Test func unwritableRootFailsBeforeAnyTaskRuns() throws {
    let root = TestRoot()
    let marker = "\(root.path)/ran"
    let file = root.write("p.yaml", "tasks: [{name: a, run: 'touch \(marker)'}]")
    // A file where the metrics directory should be: even root cannot write there.
    root.write("blocked/metrics", "not a directory")
    let metricsBlocked = try Orchestrate.run([file, "--root", "\(root.path)/blocked"])
    #expect(metricsBlocked.exitCode == 2)
    #expect(
      metricsBlocked.stderr.contains("\(root.path)/blocked/metrics"), "\(metricsBlocked.stderr)")
    root.write("nologs/logs", "not a directory")
    let logsBlocked = try Orchestrate.run([file, "--root", "\(root.path)/nologs"])
    #expect(logsBlocked.exitCode == 2)
    #expect(logsBlocked.stderr.contains("\(root.path)/nologs/logs"), "\(logsBlocked.stderr)")
    let procfs = try Orchestrate.run([file, "--root", "/proc/orchestrate-\(root.marker)"])
    #expect(procfs.exitCode == 2)
    #expect(procfs.stderr.contains("cannot create directory /proc/orchestrate-\(root.marker)"))
    #expect(!FileManager.default.fileExists(atPath: marker))
  }

  @Test func environmentValuesNeverReachTheRecordOrTheLog() throws {
    let root = TestRoot()
    let file = root.write(
      "p.yaml",
      """
      env: {PIPELINE_SECRET: pipeline-s3cr3t}
      tasks:
        - {name: a, run: 'test -n "$TASK_SECRET$PIPELINE_SECRET$INHERITED_SECRET"; exit 1', env: {TASK_SECRET: task-s3cr3t}}
      """)
    let result = try Orchestrate.run(
      [file, "--root", root.path],
      environment: Orchestrate.cronEnvironment(["INHERITED_SECRET": "inherited-s3cr3t"]))
    #expect(result.exitCode == 1)
    let record = try root.onlyRecord("p")
    let texts = [
      root.read("metrics/p/\(record.runId).json") ?? "",
      root.read("logs/p/\(record.runId)/orchestrate.log") ?? "", result.stdout, result.stderr,
    ]
    for text in texts { #expect(!text.contains("s3cr3t")) }
  }

  @Test func runsTheSameWithStandardInputClosed() throws {
    let root = TestRoot()
    let file = root.write("p.yaml", "tasks: [{name: a, run: 'cat; echo fine'}]")
    let result = try Orchestrate.run(
      ["-c", "exec 0<&-; exec \"$0\" \"$@\"", Orchestrate.binary, file, "--root", root.path],
      binary: "/bin/sh")
    #expect(result.exitCode == 0, "\(result.stderr)")
    let record = try root.onlyRecord("p")
    #expect(record.trigger == .scheduled)
    #expect(root.read(try #require(record.task("a")).logFile)?.hasSuffix("fine\n") == true)
  }

  /// Whatever state orchestrate inherits, a task starts clean: signals at
  /// their defaults and unblocked, only stdin (/dev/null), stdout and stderr
  /// open, and a process group of its own.
  @Test func tasksStartCleanWhateverStartedOrchestrate() throws {
    let root = TestRoot()
    let file = root.write(
      "p.yaml",
      """
      tasks:
        - {name: status, argv: [cat, /proc/self/status]}
        - {name: stat, argv: [cat, /proc/self/stat]}
        - {name: fds, argv: [ls, -l, /proc/self/fd/]}
      """)
    let result = try Orchestrate.run(
      [
        "-c", "trap '' USR1 PIPE HUP; exec 7</dev/null; exec \"$0\" \"$@\"", Orchestrate.binary,
        file, "--root", root.path,
      ], binary: "/bin/bash")
    #expect(result.exitCode == 0, "\(result.stderr)")
    let record = try root.onlyRecord("p")
    func log(_ task: String) throws -> String {
      let path = try #require(record.task(task)).logFile
      return try #require(root.read(path))
    }
    let status = try log("status")
    #expect(status.contains("SigIgn:\t0000000000000000"), "\(status)")
    #expect(status.contains("SigBlk:\t0000000000000000"), "\(status)")
    #expect(status.contains("SigCgt:\t0000000000000000"), "\(status)")

    let statLines = try log("stat").split(separator: "\n")
    let stat = try #require(statLines.last)
    let pid = stat.prefix { $0 != " " }
    let fields = stat[stat.index(after: try #require(stat.lastIndex(of: ")")))...].split(
      separator: " ")
    #expect(fields[2] == pid, "the task leads its own process group: \(stat)")

    let fds = try log("fds")
    #expect(fds.contains("0 -> /dev/null"), "\(fds)")
    #expect(!fds.contains(" 7 -> "), "nothing else inherited: \(fds)")
  }

  /// SIGCHLD ignored by whatever started orchestrate (bash's `trap '' CHLD`
  /// passes it on through exec) must not leave the run waiting for exits the
  /// kernel would otherwise reap unreported.
  @Test func runsWhenStartedWithSIGCHLDIgnored() throws {
    let root = TestRoot()
    let file = root.write(
      "p.yaml", "tasks: [{name: a, run: 'sleep 0.2; exit 3'}, {name: b, run: 'true'}]")
    let result = try Orchestrate.run(
      ["-c", "trap '' CHLD; exec \"$0\" \"$@\"", Orchestrate.binary, file, "--root", root.path],
      timeout: 30, binary: "/bin/bash")
    #expect(result.exitCode == 1, "\(result.stderr)")
    let record = try root.onlyRecord("p")
    #expect(record.task("a")?.exitCode == 3)
    #expect(record.task("b")?.status == .completed)
  }
}

/// Polls `condition` every 10 ms: for state that has no file to wait on.
func waitUntil(timeout: Double = 30, _ condition: () throws -> Bool) throws {
  let deadline = Date().addingTimeInterval(timeout)
  while try !condition() {
    try #require(Date() < deadline, "condition not met within \(timeout)s")
    usleep(10_000)
  }
}
