import Foundation
import OrchestrateKit
import Testing

/// orchestrate on a machine where other users and jobs can write into the
/// root: what it reads from files is data, never a path out of the root
/// nor a licence to kill.
@Suite(.serialized) struct SharedMachineTests {
  /// A record whose `run_id` climbs out of the report directory is damaged,
  /// not followed: no page outside `-o`, and `status` names the file.
  @Test func aForgedRunIdStaysInsideTheReport() throws {
    let root = TestRoot()
    root.write("pipelines/p.yaml", "tasks: [{name: a, run: 'true'}]\n")
    #expect(try Orchestrate.run(["p", "--root", root.path]).exitCode == 0)
    let genuine = try root.onlyRecord("p")
    let text = try #require(root.read("metrics/p/\(genuine.runId).json"))
    root.write(
      "metrics/p/run_20261201_000000_1.json",
      text.replacingOccurrences(of: genuine.runId, with: "../../../escaped/pwnrun"))

    let report = try Orchestrate.run(["report", "--root", root.path, "-o", "\(root.path)/out/a/b"])
    #expect(report.exitCode == 0, "\(report.stderr)")
    #expect(!root.exists("escaped"))
    #expect(root.exists("out/a/b/runs/\(genuine.runId).html"))
    let pages = try FileManager.default.subpathsOfDirectory(atPath: "\(root.path)/out")
    #expect(!pages.contains { $0.contains("pwnrun") }, "\(pages)")

    let status = try Orchestrate.run(["status", "p", "--root", root.path])
    #expect(
      status.stderr.contains(
        "metrics/p/run_20261201_000000_1.json (its run_id '../../../escaped/pwnrun' is not its "
          + "file's name: a damaged or forged record)"), "\(status.stderr)")
  }

  /// A folder planted as a link inside the report directory is not
  /// written through (`-o DIR` itself may be a link its owner made).
  @Test func aLinkInsideTheReportIsNotFollowed() throws {
    let root = TestRoot()
    root.write("pipelines/p.yaml", "tasks: [{name: a, run: 'true'}]\n")
    #expect(try Orchestrate.run(["p", "--root", root.path]).exitCode == 0)
    root.write("victim/keep", "precious\n")
    try FileManager.default.createDirectory(
      atPath: "\(root.path)/real-out", withIntermediateDirectories: true)
    symlink("\(root.path)/real-out", "\(root.path)/out")
    symlink("\(root.path)/victim", "\(root.path)/real-out/runs")
    let report = try Orchestrate.run(["report", "--root", root.path, "-o", "\(root.path)/out"])
    #expect(report.exitCode != 0)
    #expect(
      report.stderr.contains(
        "cannot write \(root.path)/out/runs: it is a symbolic link, not a directory of "
          + "orchestrate's own"), "\(report.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/victim") == ["keep"])
  }

  /// A record far larger than any run writes is not read whole (by status,
  /// the report or each page serve renders): it is named as unreadable.
  @Test func aHugeRecordIsNotReadWhole() throws {
    let root = TestRoot()
    root.write("pipelines/p.yaml", "tasks: [{name: a, run: 'true'}]\n")
    #expect(try Orchestrate.run(["p", "--root", root.path]).exitCode == 0)
    let genuine = try root.onlyRecord("p")
    let text = try #require(root.read("metrics/p/\(genuine.runId).json"))
    let huge = "run_20261201_000000_1"
    root.write(
      "metrics/p/\(huge).json",
      text.replacingOccurrences(of: genuine.runId, with: huge)
        + String(repeating: " ", count: 17 << 20))
    let status = try Orchestrate.run(["status", "p", "--root", root.path])
    #expect(
      status.stderr.contains("metrics/p/\(huge).json (larger than 16 MiB (17.0 MiB): not read)"),
      "\(status.stderr)")
    let report = try Orchestrate.run(["report", "--root", root.path, "-o", "\(root.path)/out"])
    #expect(report.exitCode == 0, "\(report.stderr)")
    #expect(!root.exists("out/runs/\(huge).html"))
  }

  /// A dead run's journal that names an unrelated process (its pid and
  /// start time are public in /proc) kills it only when the journal is
  /// this user's own and nobody else can write it.
  @Test(arguments: [false, true])
  func aJournalOthersCanWriteKillsNothingItNames(writableByOthers: Bool) throws {
    let root = TestRoot()
    root.write(
      "pipelines/p.yaml",
      """
      tasks:
        - name: wait
          kill_grace: 1s
          # The first run waits to be killed; the next one ends at once.
          run: '[ -e "$ORCHESTRATE_ROOT/ran" ] && exit 0; touch "$ORCHESTRATE_ROOT/ran"; exec sleep 60'
      """)
    let dead = try Orchestrate.start(["p", "--root", root.path])
    let runId = try #require(try waitForRunningRecord(root))
    let journal = "logs/p/\(runId)/orchestrate.journal"
    try waitUntil { root.read(journal)?.contains("started\t") == true }
    dead.signal(SIGKILL)
    _ = dead.wait()

    // Not started by any run (no ORCHESTRATE_RUN_ID in its environment),
    // in a session of its own, as an unrelated job's process would be.
    let pid = try startBystander(in: root)
    defer { kill(pid, SIGKILL) }
    let ticks = try #require(try startTicks(of: pid))
    let forged =
      "started\t\(Int(Date().timeIntervalSince1970 * 1000))\twait\t2\t\(pid)\t\(ticks)\t1000\n"
    let handle = try #require(FileHandle(forWritingAtPath: "\(root.path)/\(journal)"))
    handle.seekToEndOfFile()
    handle.write(Data(forged.utf8))
    try handle.close()
    chmod("\(root.path)/\(journal)", writableByOthers ? 0o666 : 0o644)

    let next = try Orchestrate.run(["p", "--root", root.path, "-v"], timeout: 120)
    let said = next.stdout + next.stderr
    #expect(said.contains("settled \(runId) as abandoned"), "\(said)")
    if writableByOthers {
      #expect(isAlive(pid), "the bystander was killed:\n\(said)")
      #expect(
        said.contains(
          "settled \(runId): its process ids were not taken as proof (orchestrate.journal can be "
            + "written by other users): only processes whose environment holds "
            + "ORCHESTRATE_RUN_ID=\(runId) were stopped"), "\(said)")
    } else {
      // The same journal, trusted: the pid and start time are proof.
      #expect(!isAlive(pid), "the journal's own process was left running")
    }
    // The dead run's own task is stopped either way: it carries the run id.
    #expect(root.tasksStillAlive().isEmpty)
  }

  /// A task's output, progress message and a file's name reach the
  /// terminal (and cron's mail) with their control characters shown, not
  /// acted on: no clipboard write, no title, no cleared screen, no forged line.
  @Test func controlBytesFromOutsideAreShownEscaped() throws {
    let root = TestRoot()
    root.write(
      "pipelines/p.yaml",
      #"""
      tasks:
        - name: loud
          run: |
            printf '{"message": "step \u001b[2J one", "done": 1, "total": 2}\n' >> "$ORCHESTRATE_PROGRESS"
            sleep 1
            printf 'start\n\033]52;c;cHduZWQ=\007clip\n\033]0;title\007\n\033[2Jclear\nfirst\rforged\n'
            printf 'rtl \342\200\256txet\n'
            exit 3
      """#)
    let run = try Orchestrate.run(["p", "--root", root.path])
    #expect(run.exitCode == 1)
    #expect(!run.stdout.contains("\u{1B}") && !run.stdout.contains("\u{7}"), "\(run.stdout)")
    #expect(!run.stdout.contains("\u{202E}"), "\(run.stdout)")
    for shown in [
      #"  | \e]52;c;cHduZWQ=\aclip"#, #"  | \e]0;title\a"#, #"  | \e[2Jclear"#, "  | first\n",
      "  | forged\n", #"  | rtl \u{202E}txet"#,
    ] {
      #expect(run.stdout.contains(shown), "\(shown) not in:\n\(run.stdout)")
    }
    // A lone \r ends a line: "first" and "forged" are two of the lines counted.
    #expect(run.stdout.contains("loud, last 7 line(s) of output:"), "\(run.stdout)")

    let record = try root.onlyRecord("p")
    #expect(record.task("loud")?.progress?.message == #"step \e[2J one"#)

    let missing = "\(root.path)/a\nb\u{202E}.yaml"
    let refused = try Orchestrate.run([missing])
    #expect(refused.exitCode == 2)
    #expect(
      refused.stderr == "orchestrate: \(root.path)/a\\nb\\u{202E}.yaml: no such file\n",
      "\(refused.stderr)")
  }

  /// A wall clock stepped a day ahead since a run started (shown here by
  /// the record's start times, which are wall-clock labels) does not make
  /// status call it stuck: on the same boot, run and task are timed by the
  /// boot-time clock from their processes' start.
  @Test func aSteppedWallClockDoesNotMakeARunLookStuck() throws {
    let root = TestRoot()
    root.write(
      "pipelines/p.yaml",
      "stuck_after: 1h\ntasks: [{name: wait, run: 'touch \"$ORCHESTRATE_ROOT/started\"; sleep 60'}]\n"
    )
    let running = try Orchestrate.start(["p", "--root", root.path])
    defer {
      running.signal(SIGTERM)
      _ = running.wait()
    }
    try root.waitFor("started")
    let id = try #require(try waitForRunningRecord(root))
    let path = "\(root.path)/metrics/p/\(id).json"
    var record = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
        as? [String: Any])
    let dayEarlier = Timestamp.format(Date().addingTimeInterval(-86400))
    record["started_at"] = dayEarlier
    var tasks = try #require(record["tasks"] as? [[String: Any]])
    tasks[0]["started_at"] = dayEarlier
    record["tasks"] = tasks
    try JSONSerialization.data(withJSONObject: record).write(to: URL(fileURLWithPath: path))

    let status = try Orchestrate.run(["status", "--root", root.path, "--json"])
    let report = try #require(
      try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
    let pipeline = try #require((report["pipelines"] as? [[String: Any]])?.first)
    let run = try #require((pipeline["running"] as? [[String: Any]])?.first)
    let elapsed = try #require(run["elapsed_seconds"] as? Double)
    #expect(elapsed < 600, "elapsed \(elapsed)")
    #expect(run["stuck"] as? Bool == false)
    let task = try #require((run["tasks"] as? [[String: Any]])?.first)
    #expect(try #require(task["elapsed_seconds"] as? Double) < 600)
    let text = try Orchestrate.run(["status", "--root", root.path])
    #expect(!text.stdout.contains("stuck"), "\(text.stdout)")
  }

  /// A link planted where orchestrate writes its own files is never
  /// written through: not the lock (rotate and a run truncated its target),
  /// not a pipeline's log folder; and a metrics/ every user can write is
  /// refused, as logrotate refuses such a directory.
  @Test func plantedLinksAreNeverWrittenThrough() throws {
    let root = TestRoot()
    root.write("pipelines/p.yaml", "tasks: [{name: a, run: 'echo hello'}]\n")
    #expect(try Orchestrate.run(["p", "--root", root.path]).exitCode == 0)
    let victim = root.write("victim/file", "precious\n")
    unlink("\(root.path)/metrics/p/.lock")
    symlink(victim, "\(root.path)/metrics/p/.lock")
    let rotate = try Orchestrate.run(["rotate", "--root", root.path])
    #expect(rotate.exitCode == 1)
    #expect(rotate.stderr.contains("metrics/p/.lock: it is a symbolic link"), "\(rotate.stderr)")
    let run = try Orchestrate.run(["p", "--root", root.path])
    #expect(run.exitCode == 2)
    #expect(run.stderr.contains("metrics/p/.lock: it is a symbolic link"), "\(run.stderr)")
    #expect(root.read("victim/file") == "precious\n")
    unlink("\(root.path)/metrics/p/.lock")

    try FileManager.default.removeItem(atPath: "\(root.path)/logs/p")
    symlink("\(root.path)/victim", "\(root.path)/logs/p")
    let linked = try Orchestrate.run(["p", "--root", root.path])
    #expect(linked.exitCode == 2)
    #expect(
      linked.stderr.contains("refusing to write into \(root.path)/logs/p: it is a symbolic link"),
      "\(linked.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/victim") == ["file"])
    unlink("\(root.path)/logs/p")

    chmod("\(root.path)/metrics", 0o777)
    let open = try Orchestrate.run(["p", "--root", root.path])
    #expect(open.exitCode == 2)
    #expect(
      open.stderr.contains("\(root.path)/metrics: it can be written by every user (mode 777)"),
      "\(open.stderr)")
    chmod("\(root.path)/metrics", 0o1777)
    #expect(try Orchestrate.run(["p", "--root", root.path]).exitCode == 0)
  }

  static let secret = "tok-7Hq2Zp9WbXc4Vn8Lm3Rs6Td1Yf5Ga0E"

  static func secretPipeline(_ root: TestRoot, argv: String) -> String {
    root.write(
      "pipelines/s.yaml",
      """
      params:
        api_token: {type: string, secret: true, required: true}
        limit: {type: int, secret: true, default: 1}
      tasks:
        - {name: a, argv: \(argv)}
      """)
  }

  /// A secret in argv would be in /proc/PID/cmdline, readable by every
  /// user for the task's whole run: validate and the run refuse it.
  @Test func aSecretInArgvIsRefused() throws {
    let root = TestRoot()
    let file = Self.secretPipeline(root, argv: #"[sh, -c, 'echo "$1"', x, '${API_TOKEN}']"#)
    for command in [["validate", file], [file]] {
      let result = try Orchestrate.run(command + ["-p", "api_token=\(Self.secret)"])
      #expect(result.exitCode == 2)
      #expect(
        result.stderr.contains(
          "tasks[0].argv: task 'a': ${API_TOKEN} is a secret, and a program's arguments are "
            + "visible to every user of the machine (ps); let the program read $API_TOKEN from "
            + "its environment instead"), "\(result.stderr)")
      #expect(!result.stderr.contains(Self.secret))
    }
    // The run's refusal is recorded, without the secret.
    let refused = try root.onlyRecord("s")
    #expect(refused.status == .refused)
    #expect(root.read("metrics/s/\(refused.runId).json")?.contains(Self.secret) == false)
    let fromEnvironment = Self.secretPipeline(root, argv: #"[sh, -c, 'test -n "$API_TOKEN"']"#)
    let run = try Orchestrate.run([fromEnvironment, "-p", "api_token=\(Self.secret)"])
    #expect(run.exitCode == 0, "\(run.stdout)\(run.stderr)")
  }

  /// A secret parameter comes from ORCHESTRATE_PARAM_<NAME> without a
  /// command line; given with -p it works, with a warning saying why not.
  @Test func aSecretParameterComesFromTheEnvironment() throws {
    let root = TestRoot()
    let file = Self.secretPipeline(
      root, argv: #"[sh, -c, 'test "$API_TOKEN" = "$EXPECTED" && test "$LIMIT" = 7']"#)
    let quiet = try Orchestrate.run(
      [file],
      environment: Orchestrate.cronEnvironment([
        "ORCHESTRATE_PARAM_API_TOKEN": Self.secret, "ORCHESTRATE_PARAM_LIMIT": "7",
        "EXPECTED": Self.secret,
      ]))
    #expect(quiet.exitCode == 0, "\(quiet.stdout)\(quiet.stderr)")
    #expect(quiet.stdout.isEmpty && quiet.stderr.isEmpty, "\(quiet.stdout)\(quiet.stderr)")

    let loud = try Orchestrate.run(
      [file, "-p", "api_token=\(Self.secret)", "-p", "limit=7"],
      environment: Orchestrate.cronEnvironment(["EXPECTED": Self.secret]))
    #expect(loud.exitCode == 0, "\(loud.stdout)\(loud.stderr)")
    #expect(
      loud.stderr.contains(
        "--param api_token: a secret on the command line can be read by every user of the "
          + "machine (ps) while the run lasts; set ORCHESTRATE_PARAM_API_TOKEN instead"),
      "\(loud.stderr)")
    #expect(!loud.stderr.contains(Self.secret))

    let bad = try Orchestrate.run(
      [file], environment: Orchestrate.cronEnvironment(["ORCHESTRATE_PARAM_LIMIT": "many"]))
    #expect(bad.exitCode == 2)
    #expect(bad.stderr.contains("ORCHESTRATE_PARAM_LIMIT: the secret value is not an int"))
  }

  /// A misspelt parameter name, or a value of the wrong type, is told
  /// without the value: it may be the secret.
  @Test(arguments: [
    (["-p", "api_tokne=\(secret)"], "--param api_tokne=…: unknown parameter 'api_tokne'"),
    (
      ["-p", "api_token=x", "-p", "limit=\(secret)"],
      "--param limit: the secret value is not an int"
    ),
  ])
  func errorsNeverRepeatASecretValue(arguments: [String], message: String) throws {
    let root = TestRoot()
    let file = Self.secretPipeline(root, argv: "[\"true\"]")
    let result = try Orchestrate.run([file] + arguments)
    #expect(result.exitCode == 2)
    #expect(result.stderr.contains(message), "\(result.stderr)")
    #expect(!result.stderr.contains(Self.secret), "\(result.stderr)")
  }

  /// Every value of an env_file is a secret, PATH among them: a program
  /// that is not on it is named without the PATH.
  @Test func aPathFromAnEnvFileIsNotShown() throws {
    let root = TestRoot()
    let secretPath = "/opt/PathSecret-Zq81:/usr/bin:/bin"
    root.write("secrets/prod.env", "PATH=\(secretPath)\n")
    chmod("\(root.path)/secrets/prod.env", 0o600)
    let file = root.write(
      "pipelines/e.yaml",
      """
      environments:
        prod: {env_file: secrets/prod.env}
      tasks:
        - {name: a, argv: [no-such-program-here]}
      """)
    for command in [["validate", file, "-e", "prod"], [file, "-e", "prod"]] {
      let result = try Orchestrate.run(command)
      #expect(result.exitCode == 2)
      #expect(
        result.stderr.contains(
          "program 'no-such-program-here' is not on the task's PATH (PATH=***)"),
        "\(result.stderr)")
      #expect(!result.stderr.contains("PathSecret"))
    }
  }

  /// The output tail is cut from the end of a task's log: a secret across
  /// the cut is masked first, so no piece of it reaches the record.
  @Test func aSecretAcrossTheTailsCutIsMaskedWhole() throws {
    let root = TestRoot()
    // 20 of the secret's characters inside the last 4096 bytes, no newline after.
    let file = Self.secretPipeline(
      root,
      argv:
        #"[sh, -c, 'printf "%s%s" "$API_TOKEN" "$(head -c 4076 /dev/zero | tr "\\0" y)"; exit 1']"#)
    let run = try Orchestrate.run([file, "-p", "api_token=\(Self.secret)"])
    #expect(run.exitCode == 1, "\(run.stderr)")
    let error = try #require(try root.onlyRecord("s").task("a")?.error)
    #expect(error.hasSuffix("yyyy"))
    for length in [8, 12, 20] {
      #expect(!error.contains(Self.secret.suffix(length)), "\(error.prefix(80))")
      #expect(!run.stdout.contains(Self.secret.suffix(length)))
    }
  }

  /// `orchestrate logs` on a terminal shows a task's escape sequences
  /// instead of obeying them (no new window title, no cleared screen);
  /// `--raw` and any output that is not a terminal get the bytes as written.
  /// serve does not know the secrets, so the run records where they stand
  /// in each log; a log whose places were never recorded is not sent.
  @Test func serveShowsLogsWithTheirSecretsMasked() throws {
    let root = TestRoot()
    let file = Self.secretPipeline(root, argv: #"[sh, -c, 'echo "token is $API_TOKEN."']"#)
    let run = try Orchestrate.run(
      [file, "--root", root.path],
      environment: Orchestrate.cronEnvironment(["ORCHESTRATE_PARAM_API_TOKEN": Self.secret]))
    #expect(run.exitCode == 0, "\(run.stderr)")
    let id = try root.onlyRecord("s").runId
    #expect(root.read("logs/s/\(id)/a.log") == "token is \(Self.secret).\n")
    let served = try Served(root)
    let log = try served.get("/api/runs/\(id)/logs/a")
    #expect(log.status == 200)
    #expect(log.body.contains("token is ***.\n"), "\(log.body)")
    #expect(!log.body.contains(Self.secret))

    unlink("\(root.path)/logs/s/\(id)/.a.log.secrets")
    let withheld = try served.get("/api/runs/\(id)/logs/a")
    #expect(withheld.status == 403)
    #expect(
      withheld.body.contains(
        "a.log of \(id) is not shown: the run had secret values, and where they stand in this "
          + "log was never recorded"), "\(withheld.body)")
    #expect(!withheld.body.contains(Self.secret))
  }

  @Test func logsOnATerminalShowWhatATaskWroteEscaped() throws {
    let root = TestRoot()
    root.write(
      "pipelines/p.yaml",
      #"""
      tasks:
        - name: a
          run: printf 'before\n\033]0;TAKEN-OVER\007\033[2Jafter\rover\n'
      """#)
    #expect(try Orchestrate.run(["p", "--root", root.path]).exitCode == 0)
    let piped = try Orchestrate.run(
      ["logs", "--last", "p", "a", "--attempt", "1", "--root", root.path])
    #expect(piped.stdout == "before\n\u{1B}]0;TAKEN-OVER\u{7}\u{1B}[2Jafter\rover\n")

    let tmux = try Tmux()
    defer { _ = try? tmux.run(["kill-server"]) }
    let show = "\(Orchestrate.binary) logs --last p a --root \(root.path)"
    try tmux.run(
      ["new-session", "-d", "-s", "live", "-x", "80", "-y", "20", "TERM=xterm \(show); sleep 600"])
    try waitUntil { (try? tmux.screen().contains { $0.contains("exit 0") }) == true }
    let screen = try tmux.screen()
    #expect(screen.contains("before"), "\(screen)")
    #expect(screen.contains(#"\e]0;TAKEN-OVER\a\e[2Jafter\rover"#), "\(screen)")
    let title = try tmux.run(["display-message", "-p", "-t", "live", "#{pane_title}"])
    #expect(!title.contains("TAKEN-OVER"), "\(title)")

    try tmux.run(["kill-session", "-t", "live"])
    try tmux.run(
      [
        "new-session", "-d", "-s", "live", "-x", "80", "-y", "20",
        "TERM=xterm \(show) --raw; sleep 600",
      ])
    try waitUntil {
      (try? tmux.run(["display-message", "-p", "-t", "live", "#{pane_title}"]))?
        .contains("TAKEN-OVER") == true
    }
  }

  private func waitForRunningRecord(_ root: TestRoot) throws -> String? {
    var found: String?
    try waitUntil {
      found = (try? FileManager.default.contentsOfDirectory(atPath: "\(root.path)/metrics/p"))?
        .first { $0.hasPrefix("run_") && $0.hasSuffix(".json") }
      return found != nil
    }
    return found.map { String($0.dropLast(5)) }
  }

  private func waitUntil(_ condition: () -> Bool) throws {
    let deadline = Date().addingTimeInterval(30)
    while !condition() {
      guard Date() < deadline else { throw CancellationError() }
      usleep(20_000)
    }
  }

  /// `setsid sleep 300`, started by a shell with /dev/null for every
  /// stream (no pipe of the test runner's held open), and waited for by its
  /// pid file rather than by reaping the shell.
  private func startBystander(in root: TestRoot) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    for descriptor in Int32(0)...2 {
      posix_spawn_file_actions_addopen(
        &actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
    }
    let script =
      "cd '\(root.path)' && setsid sleep 300 & echo $! > '\(root.path)/bystander.new' "
      + "&& mv '\(root.path)/bystander.new' '\(root.path)/bystander'"
    let words: [String] = ["/bin/sh", "-c", script]
    let arguments: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
    defer { for argument in arguments { free(argument) } }
    var shell: pid_t = 0
    #expect(posix_spawn(&shell, "/bin/sh", &actions, nil, arguments, environ) == 0)
    var found: pid_t?
    try waitUntil {
      found = root.read("bystander").flatMap {
        pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines))
      }
      return found != nil
    }
    return try #require(found)
  }

  /// Alive and not a zombie (nobody may reap an orphan in a container).
  private func isAlive(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let end = stat.lastIndex(of: ")")
    else { return false }
    return !stat[stat.index(after: end)...].hasPrefix(" Z")
  }

  /// Field 22 of /proc/PID/stat: when the process started, in clock ticks.
  private func startTicks(of pid: pid_t) throws -> UInt64? {
    let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
    guard let end = stat.lastIndex(of: ")") else { return nil }
    let fields = stat[stat.index(after: end)...].split(separator: " ")
    return fields.count > 19 ? UInt64(fields[19]) : nil
  }
}
