import Foundation
import Testing

/// What another user of the machine can see of a run, and what orchestrate
/// does when it is run by an unprivileged user: checked as `nobody`,
/// through setpriv, the way a second account on a shared machine would.
@Suite struct OtherUserTests {
  /// Runs `command` as nobody (no supplementary groups).
  static func asNobody(_ command: [String], directory: String = "/") throws -> Invocation {
    try Orchestrate.run(
      ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"] + command,
      directory: directory, binary: "/usr/bin/setpriv")
  }

  static func mode(_ path: String) -> mode_t? {
    var info = stat()
    return lstat(path, &info) == 0 ? info.st_mode & 0o7777 : nil
  }

  static func newestRun(_ root: TestRoot, _ pipeline: String) throws -> String {
    let names = try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/logs/\(pipeline)")
    return try #require(names.filter { $0.hasPrefix("run_") }.max())
  }

  /// Records, journals and task logs are readable by the group only,
  /// unless the pipeline says otherwise; folders that already existed with
  /// wider modes are narrowed at the next run.
  @Test func whatARunWritesIsNotReadableByEveryUser() throws {
    let root = TestRoot()
    // An older install: the pipeline's folders exist, readable by everyone.
    for folder in ["metrics/p", "logs/p"] {
      try FileManager.default.createDirectory(
        atPath: "\(root.path)/\(folder)", withIntermediateDirectories: true,
        attributes: [.posixPermissions: 0o755])
    }
    root.write("pipelines/p.yaml", "tasks: [{name: a, run: 'echo private-output'}]\n")
    let first = try Orchestrate.run(["p", "--root", root.path])
    #expect(first.exitCode == 0, "\(first.stderr)")
    let run = try Self.newestRun(root, "p")
    #expect(Self.mode("\(root.path)/metrics/p") == 0o750)
    #expect(Self.mode("\(root.path)/logs/p") == 0o750)
    #expect(Self.mode("\(root.path)/logs/p/\(run)") == 0o750)
    for file in [
      "logs/p/\(run)/a.log", "logs/p/\(run)/orchestrate.log", "logs/p/\(run)/orchestrate.journal",
      "metrics/p/\(run).json",
    ] {
      #expect(Self.mode("\(root.path)/\(file)") == 0o640, "\(file)")
    }
    let peek = try Self.asNobody(["cat", "\(root.path)/logs/p/\(run)/a.log"])
    #expect(peek.exitCode != 0)
    #expect(!peek.stdout.contains("private-output"))

    root.write(
      "pipelines/p.yaml",
      "files: {readable_by: everyone}\ntasks: [{name: a, run: 'echo public-output'}]\n")
    #expect(try Orchestrate.run(["p", "--root", root.path]).exitCode == 0)
    let open = try Self.newestRun(root, "p")
    #expect(open != run)
    #expect(Self.mode("\(root.path)/logs/p") == 0o755)
    #expect(Self.mode("\(root.path)/logs/p/\(open)/a.log") == 0o644)
    #expect(
      try Self.asNobody(["cat", "\(root.path)/logs/p/\(open)/a.log"]).stdout == "public-output\n")

    root.write(
      "pipelines/p.yaml",
      "files: {readable_by: owner}\ntasks: [{name: a, run: 'echo mine'}]\n")
    #expect(try Orchestrate.run(["p", "--root", root.path]).exitCode == 0)
    #expect(Self.mode("\(root.path)/metrics/p") == 0o700)
  }

  /// A tree every user can write is refused unless the pipeline says that
  /// is intended.
  @Test func aTreeOthersCanWriteIsAcceptedOnlyWhenTheFileSaysSo() throws {
    let root = TestRoot()
    root.write("pipelines/p.yaml", "tasks: [{name: a, run: 'true'}]\n")
    try FileManager.default.createDirectory(
      atPath: "\(root.path)/metrics", withIntermediateDirectories: true)
    chmod("\(root.path)/metrics", 0o777)
    let refused = try Orchestrate.run(["p", "--root", root.path])
    #expect(refused.exitCode == 2)
    #expect(
      refused.stderr.contains(
        "refusing to write into \(root.path)/metrics: it can be written by every user (mode 777); "
          + "chmod o-w it, or set files.others_may_write if that is intended"),
      "\(refused.stderr)")
    root.write(
      "pipelines/p.yaml", "files: {others_may_write: true}\ntasks: [{name: a, run: 'true'}]\n")
    let accepted = try Orchestrate.run(["p", "--root", root.path])
    #expect(accepted.exitCode == 0, "\(accepted.stderr)")
  }

  /// Run by an unprivileged user, planted links are refused the same way:
  /// the link's target, a file of that user's, is left as it was.
  @Test func anUnprivilegedRunNeverWritesThroughALink() throws {
    let root = TestRoot()
    root.write("pipelines/p.yaml", "tasks: [{name: a, run: 'echo hello'}]\n")
    let victim = root.write("victim/file", "precious\n")
    chown(root.path, 65534, 65534)
    for path in ["pipelines", "pipelines/p.yaml", "victim", "victim/file"] {
      chown("\(root.path)/\(path)", 65534, 65534)
    }
    let first = try Self.asNobody(["\(Orchestrate.binary)", "p", "--root", root.path])
    #expect(first.exitCode == 0, "\(first.stderr)")

    unlink("\(root.path)/metrics/p/.lock")
    symlink(victim, "\(root.path)/metrics/p/.lock")
    lchown("\(root.path)/metrics/p/.lock", 65534, 65534)
    let locked = try Self.asNobody(["\(Orchestrate.binary)", "p", "--root", root.path])
    #expect(locked.exitCode == 2)
    #expect(locked.stderr.contains("metrics/p/.lock: it is a symbolic link"), "\(locked.stderr)")
    unlink("\(root.path)/metrics/p/.lock")

    // A dangling link at the logs folder would create the run's files elsewhere.
    try FileManager.default.removeItem(atPath: "\(root.path)/logs/p")
    symlink("\(root.path)/victim/elsewhere", "\(root.path)/logs/p")
    let dangling = try Self.asNobody(["\(Orchestrate.binary)", "p", "--root", root.path])
    #expect(dangling.exitCode == 2)
    #expect(
      dangling.stderr.contains("\(root.path)/logs/p"), "\(dangling.stderr)")
    #expect(root.read("victim/file") == "precious\n")
    #expect(!root.exists("victim/elsewhere"))
  }

  /// While a run lasts, another user's `ps` shows every command line of it,
  /// and none holds the secret; the task's environment, which does, is the
  /// run's owner's alone.
  @Test func anotherUsersPsNeverShowsASecret() throws {
    let root = TestRoot()
    let secret = "tok-Ps9Zq4Lm2Wx7Rt5Yb8Nc3Vd6"
    let file = root.write(
      "pipelines/s.yaml",
      """
      params:
        api_token: {type: string, secret: true, required: true}
      tasks:
        - {name: wait, run: 'touch "$ORCHESTRATE_ROOT/started"; sleep 60 # \(root.marker)'}
      """)
    let running = try Orchestrate.start(
      [file, "--root", root.path],
      environment: Orchestrate.cronEnvironment(["ORCHESTRATE_PARAM_API_TOKEN": secret]))
    defer {
      running.signal(SIGTERM)
      _ = running.wait()
    }
    try root.waitFor("started")
    let ps = try Self.asNobody(["ps", "-e", "-ww", "-o", "pid=,args="])
    #expect(ps.exitCode == 0, "\(ps.stderr)")
    #expect(ps.stdout.contains(root.marker), "ps shows the task's command line")
    #expect(ps.stdout.contains(file), "ps shows orchestrate's command line")
    #expect(!ps.stdout.contains(secret))
    let environments = try Self.asNobody(["sh", "-c", "cat /proc/[0-9]*/environ"])
    #expect(!environments.stdout.contains(secret))
  }
}
