import Foundation
import OrchestrateKit
import TestSupport
import Testing

/// `orchestrate schedule`: the listing, a real crontab (Debian's cron,
/// edited for a user the test creates, so nobody's own table is touched)
/// and systemd unit files checked by systemd-analyze.
@Suite(.serialized) struct ScheduleCommandTests {
  func schedule(_ root: TestRoot, _ arguments: String...) throws -> Invocation {
    try Orchestrate.run(["schedule", "--root", root.path] + arguments)
  }

  func schedule(
    _ root: TestRoot, _ arguments: [String],
    environment: [String: String] = Orchestrate.cronEnvironment()
  ) throws -> Invocation {
    try Orchestrate.run(["schedule", "--root", root.path] + arguments, environment: environment)
  }

  /// The crontab with the checksums of orchestrate's comment lines left
  /// out (`# orchestrate pipeline nightly, sum 1a2b3c4d`), for exact comparisons.
  func withoutSums(_ crontab: String) -> String {
    crontab.replacing(/, sum [0-9a-f]{8}/, with: "")
  }

  func nightlyRoot() -> TestRoot {
    let root = TestRoot()
    root.write(
      "pipelines/nightly.yaml",
      "schedule: '30 2 * * *'\ntasks: [{name: a, run: 'true', kill_grace: 2m}]\n")
    root.write("pipelines/adhoc.yaml", "tasks: [{name: a, run: 'true'}]\n")
    return root
  }

  @Test func listsDueTimesAndTheLineThatRunsThePipeline() throws {
    let root = nightlyRoot()
    let listing = try schedule(root)
    #expect(listing.exitCode == 0, "\(listing.stderr)")
    let lines = listing.stdout.split(separator: "\n")
    #expect(lines.first == "nightly  30 2 * * *  local time")
    #expect(lines.filter { $0.hasSuffix(" 02:30 +00:00") }.count == 5, "\(listing.stdout)")
    #expect(
      listing.stdout.contains(
        "crontab    30 2 * * * \(Orchestrate.resolvedBinary) \(root.path)/pipelines/nightly.yaml\n"),
      "\(listing.stdout)")
    #expect(listing.stdout.contains("systemd    OnCalendar=*-*-* 02:30:00"))
    #expect(listing.stderr.contains("orchestrate: adhoc: no schedule, left out"))
    let named = try schedule(root, "adhoc")
    #expect(named.exitCode == 2)
    #expect(named.stderr.contains("adhoc.yaml: has no schedule"))
  }

  /// Named zones come from the tz database: without it (a container with no
  /// tzdata), the message says so instead of calling the name unknown.
  @Test func aMissingTzDatabaseIsNamed() throws {
    let root = TestRoot()
    root.write(
      "pipelines/zoned.yaml",
      "schedule: '0 2 * * *'\ntimezone: Europe/Berlin\ntasks: [{name: a, run: 'true'}]\n")
    let without = try Orchestrate.run(
      ["validate", "zoned", "--root", root.path],
      environment: Orchestrate.cronEnvironment(["TZDIR": "\(root.path)/no-zoneinfo"]))
    #expect(without.exitCode == 2)
    #expect(
      without.stderr.contains(
        "unknown time zone 'Europe/Berlin': this machine has no tz database in "
          + "\(root.path)/no-zoneinfo (Debian: apt-get install tzdata)"), "\(without.stderr)")
    let with = try Orchestrate.run(["validate", "zoned", "--root", root.path])
    #expect(with.exitCode == 0, "\(with.stderr)")
  }

  /// A bad expression stops validate and run alike, before anything is created.
  @Test func aBadExpressionIsRefusedEverywhere() throws {
    let root = TestRoot()
    root.write("pipelines/bad.yaml", "schedule: \"0 25 * * *\"\ntasks: [{name: a, run: 'true'}]\n")
    let message = "pipelines/bad.yaml:1:14: schedule: hour 25 is out of range 0-23"
    for command in [["validate", "bad"], ["bad"], ["schedule", "bad"]] {
      let result = try Orchestrate.run(command + ["--root", root.path])
      #expect(result.exitCode == 2, "\(command)")
      #expect(result.stderr.contains(message), "\(command): \(result.stderr)")
    }
    // The run's refusal is recorded; nothing ran.
    #expect(try root.onlyRecord("bad").status == .refused)
    #expect(!root.exists("logs"))
  }

  @Test func crontabInstallUpdateAndUninstallKeepEveryOtherLine() throws {
    let user = try TestUser()
    defer { user.remove() }
    // A table of someone's own, odd spacing and all.
    let own = "MAILTO=ops@example.org\n# keep me   \n0 5 * * *\t/usr/bin/true   # spaced\n\n"
    try user.setCrontab(own)
    let root = nightlyRoot()
    let crontab = ["--crontab-user", user.name]

    let preview = try Orchestrate.run(
      ["schedule", "--root", root.path, "--install", "crontab", "--dry-run"] + crontab)
    #expect(preview.exitCode == 0, "\(preview.stderr)")
    #expect(preview.stdout.contains("+# BEGIN orchestrate \(root.path)\n"), "\(preview.stdout)")
    #expect(try user.crontab() == own, "a dry run changes nothing")

    let installed = try Orchestrate.run(
      ["schedule", "--root", root.path, "--install", "crontab"] + crontab)
    #expect(installed.exitCode == 0, "\(installed.stderr)")
    let line = "30 2 * * * \(Orchestrate.resolvedBinary) \(root.path)/pipelines/nightly.yaml"
    let block =
      "# BEGIN orchestrate \(root.path)\n# orchestrate pipeline nightly\n\(line)\n"
      + "# END orchestrate \(root.path)\n"
    #expect(withoutSums(try user.crontab()) == own + block)

    // The schedule changes: the dry run shows the one line, the install replaces it.
    root.write(
      "pipelines/nightly.yaml", "schedule: '45 3 * * 1-5'\ntasks: [{name: a, run: 'true'}]\n")
    root.write("pipelines/hourly.yaml", "schedule: '@hourly'\ntasks: [{name: a, run: 'true'}]\n")
    let diff = try Orchestrate.run(
      ["schedule", "--root", root.path, "--install", "crontab", "--dry-run", "nightly"] + crontab)
    #expect(diff.stdout.contains("-\(line)\n"), "\(diff.stdout)")
    #expect(diff.stdout.contains("+45 3 * * 1-5 "), "\(diff.stdout)")
    #expect(!diff.stdout.contains("hourly"))
    try Orchestrate.run(
      ["schedule", "--root", root.path, "--install", "crontab", "nightly"] + crontab)
    try Orchestrate.run(
      ["schedule", "--root", root.path, "--install", "crontab", "hourly"] + crontab)
    let updated = try user.crontab()
    #expect(updated.hasPrefix(own))
    #expect(updated.contains("\n45 3 * * 1-5 "))
    #expect(updated.contains("\n@hourly "))
    #expect(!updated.contains("30 2 * * *"))
    #expect(updated.components(separatedBy: "# BEGIN orchestrate").count == 2, "one block")
    let again = try Orchestrate.run(
      ["schedule", "--root", root.path, "--install", "crontab", "hourly"] + crontab)
    #expect(again.stdout.contains("already up to date"))

    let removed = try Orchestrate.run(
      ["schedule", "--root", root.path, "--uninstall", "crontab"] + crontab)
    #expect(removed.exitCode == 0, "\(removed.stderr)")
    #expect(try user.crontab() == own, "byte for byte as it was")
  }

  @Test func aZoneCronCannotHonourIsRefusedForCrontab() throws {
    let root = TestRoot()
    root.write(
      "pipelines/tokyo.yaml",
      "schedule: '0 9 * * *'\ntimezone: Asia/Tokyo\ntasks: [{name: a, run: 'true'}]\n")
    let refused = try schedule(root, "--install", "crontab", "--dry-run", "--crontab-user", "root")
    #expect(refused.exitCode == 2)
    #expect(refused.stderr.contains("tokyo: timezone Asia/Tokyo differs from this machine's zone"))
  }

  @Test func systemdUnitsAreWrittenVerifiedAndRemoved() throws {
    let root = nightlyRoot()
    root.write(
      "pipelines/nightly.yaml",
      "schedule: '30 2 * * *'\nfinally_timeout: 10m\n"
        + "tasks: [{name: a, run: 'true', kill_grace: 2m}]\n")
    let units = "\(root.path)/units"
    let installed = try schedule(
      root, "--install", "systemd", "--unit-dir", units, "--randomized-delay", "10m")
    #expect(installed.exitCode == 0, "\(installed.stderr)")
    // systemd does not look into this directory: the command links the units from there.
    #expect(
      installed.stdout.contains(
        "to start them: systemctl link \(units)/orchestrate-nightly.service "
          + "\(units)/orchestrate-nightly.timer && systemctl enable --now orchestrate-nightly.timer\n"
      ),
      "\(installed.stdout)")
    #expect(!installed.stdout.contains("to start them: systemctl daemon-reload"))
    let service = try #require(root.read("units/orchestrate-nightly.service"))
    let timer = try #require(root.read("units/orchestrate-nightly.timer"))
    for setting in ["Type=oneshot", "KillMode=mixed", "TimeoutStartSec=infinity"] {
      #expect(service.contains("\n\(setting)\n"), "\(setting)")
    }
    // finally_timeout after the longest kill_grace: ten minutes and two.
    #expect(service.contains("\nTimeoutStopSec=720s\n"))
    #expect(
      service.contains(
        "\nExecStart=\(Orchestrate.resolvedBinary) \(root.path)/pipelines/nightly.yaml\n"))
    for setting in ["OnCalendar=*-*-* 02:30:00", "Persistent=true", "RandomizedDelaySec=600s"] {
      #expect(timer.contains("\n\(setting)\n"), "\(setting)")
    }
    #expect(!root.exists("units/orchestrate-adhoc.timer"))

    try verify(["\(units)/orchestrate-nightly.service", "\(units)/orchestrate-nightly.timer"])

    let user = try schedule(root, "--install", "systemd", "--user", "--unit-dir", units)
    #expect(
      user.stdout.contains(
        "to start them: systemctl --user link \(units)/orchestrate-nightly.service"),
      "\(user.stdout)")
    #expect(user.stdout.contains("&& systemctl --user enable --now orchestrate-nightly.timer\n"))

    root.write("units/orchestrate-other.service", "[Service]\nExecStart=/bin/true\n")
    root.write("pipelines/other.yaml", "schedule: '@daily'\ntasks: [{name: a, run: 'true'}]\n")
    let clash = try schedule(root, "--install", "systemd", "--unit-dir", units, "other")
    #expect(clash.exitCode == 2)
    #expect(
      clash.stderr.contains("orchestrate-other.service exists and was not written by orchestrate"))

    let removed = try schedule(root, "--uninstall", "systemd", "--unit-dir", units)
    #expect(removed.exitCode == 0, "\(removed.stderr)")
    // Linked from a directory systemd does not read: disable removes the links too.
    #expect(
      removed.stdout.contains(
        "to stop them: systemctl disable --now orchestrate-nightly.service orchestrate-nightly.timer"
      ), "\(removed.stdout)")
    #expect(!root.exists("units/orchestrate-nightly.service"))
    #expect(!root.exists("units/orchestrate-nightly.timer"))
    #expect(root.exists("units/orchestrate-other.service"), "not ours, left alone")
  }

  /// With `default_environment: dev`, the line cron runs must say
  /// `-e prod`. It comes from the file's `schedule:` mapping or from the
  /// command line of `schedule`, and a later install keeps it.
  @Test func theCrontabLineCarriesTheEnvironmentAndParametersOfScheduledRuns() throws {
    let user = try TestUser()
    defer { user.remove() }
    let root = TestRoot()
    let declarations = """
      params:
        region: {type: choice, choices: [eu, us], default: us}
        full_refresh: {type: bool, default: false}
        token: {type: string, secret: true, default: x}
      environments: {dev: {}, prod: {}}
      default_environment: dev
      tasks: [{name: a, run: 'true'}]

      """
    root.write(
      "pipelines/nightly.yaml",
      declarations + "schedule: {cron: '0 2 * * *', environment: prod, params: {region: eu}}\n")
    root.write("pipelines/weekly.yaml", declarations + "schedule: '0 3 * * 0'\n")
    let crontab = ["--crontab-user", user.name]
    let nightly = "0 2 * * * \(Orchestrate.resolvedBinary) \(root.path)/pipelines/nightly.yaml"
    let weekly = "0 3 * * 0 \(Orchestrate.resolvedBinary) \(root.path)/pipelines/weekly.yaml"

    let listing = try schedule(root, ["nightly"])
    #expect(
      listing.stdout.contains("crontab    \(nightly) -e prod -p region=eu\n"), "\(listing.stdout)")

    let installed = try schedule(root, ["--install", "crontab"] + crontab)
    #expect(installed.exitCode == 0, "\(installed.stderr)")
    var lines = try user.crontab().split(separator: "\n").map(String.init)
    #expect(lines.contains("\(nightly) -e prod -p region=eu"), "\(lines)")
    #expect(lines.contains(weekly), "\(lines)")

    // From the command line, bool flags as a run takes them.
    let given = try schedule(
      root, ["--install", "crontab", "-e", "prod", "--full-refresh", "weekly"] + crontab)
    #expect(given.exitCode == 0, "\(given.stderr)")
    lines = try user.crontab().split(separator: "\n").map(String.init)
    #expect(lines.contains("\(weekly) -e prod -p full_refresh=true"), "\(lines)")

    // A later install of every pipeline, with nothing on its command line, keeps both.
    let again = try schedule(root, ["--install", "crontab"] + crontab)
    #expect(again.exitCode == 0, "\(again.stderr)")
    #expect(again.stdout.contains("already up to date"), "\(again.stdout)")
    lines = try user.crontab().split(separator: "\n").map(String.init)
    #expect(lines.contains("\(nightly) -e prod -p region=eu"), "\(lines)")
    #expect(lines.contains("\(weekly) -e prod -p full_refresh=true"), "\(lines)")

    // The command line wins over the file, parameter by parameter.
    try schedule(
      root, ["--install", "crontab", "-e", "dev", "-p", "region=us", "nightly"] + crontab)
    lines = try user.crontab().split(separator: "\n").map(String.init)
    #expect(lines.contains("\(nightly) -e dev -p region=us"), "\(lines)")

    // --force writes what the file and this command line say, nothing older.
    try schedule(root, ["--install", "crontab", "--force"] + crontab)
    lines = try user.crontab().split(separator: "\n").map(String.init)
    #expect(lines.contains("\(nightly) -e prod -p region=eu"), "\(lines)")
    #expect(lines.contains(weekly), "\(lines)")

    // What a run would refuse, and a secret, which ps would show.
    let unknown = try schedule(root, ["--install", "crontab", "-e", "qa", "weekly"] + crontab)
    #expect(unknown.exitCode == 2)
    #expect(
      unknown.stderr
        == "orchestrate: weekly: --environment: unknown environment 'qa' (environments: dev, prod)\n",
      "\(unknown.stderr)")
    let secret = try schedule(root, ["-p", "token=hunter2", "weekly"])
    #expect(secret.exitCode == 2)
    #expect(secret.stderr.contains("orchestrate: weekly: --param token: 'token' is a secret"))
    #expect(secret.stderr.contains("can be read by every user of the machine with ps"))
    #expect(!secret.stderr.contains("hunter2"))
    let badFlag = try schedule(root, ["--fulll-refresh", "weekly"])
    #expect(badFlag.exitCode == 2)
    #expect(
      badFlag.stderr.contains("unknown option '--fulll-refresh' (did you mean '--full-refresh'?)"))
  }

  /// A line a person changed inside orchestrate's block stays, and every
  /// install says so, until --force.
  @Test func aLineEditedByHandIsKeptAndShownUntilForce() throws {
    let user = try TestUser()
    defer { user.remove() }
    let root = nightlyRoot()
    let crontab = ["--crontab-user", user.name]
    try schedule(root, ["--install", "crontab"] + crontab)
    let line = "30 2 * * * \(Orchestrate.resolvedBinary) \(root.path)/pipelines/nightly.yaml"
    let edited = try user.crontab()
      .replacing("\n\(line)\n", with: "\n\(line) -e prod\n")
      .replacing(
        "# BEGIN orchestrate \(root.path)\n",
        with: "# BEGIN orchestrate \(root.path)\nMAILTO=night@example.org\n")
    try #require(edited.contains("\(line) -e prod\n"))
    try user.setCrontab(edited)

    let preview = try schedule(root, ["--install", "crontab", "--dry-run"] + crontab)
    #expect(preview.exitCode == 0, "\(preview.stderr)")
    #expect(
      preview.stdout.contains(
        "kept, edited by hand (--force replaces it): the line of pipeline nightly: \(line) -e prod\n"
      ), "\(preview.stdout)")
    #expect(
      preview.stdout.contains(
        "kept, edited by hand (--force removes it): MAILTO=night@example.org\n"),
      "\(preview.stdout)")
    #expect(try user.crontab() == edited)

    let reinstall = try schedule(root, ["--install", "crontab"] + crontab)
    #expect(reinstall.exitCode == 0, "\(reinstall.stderr)")
    #expect(reinstall.stdout.contains("kept, edited by hand"), "\(reinstall.stdout)")
    #expect(try user.crontab() == edited, "both hand edits kept")

    let forced = try schedule(root, ["--install", "crontab", "--force", "--dry-run"] + crontab)
    #expect(forced.stdout.contains("-\(line) -e prod\n"), "\(forced.stdout)")
    #expect(forced.stdout.contains("-MAILTO=night@example.org\n"), "\(forced.stdout)")
    #expect(forced.stdout.contains("+\(line)\n"), "\(forced.stdout)")
    let replaced = try schedule(root, ["--install", "crontab", "--force"] + crontab)
    #expect(replaced.exitCode == 0, "\(replaced.stderr)")
    #expect(
      replaced.stdout.contains("replaced, edited by hand: the line of pipeline nightly"),
      "\(replaced.stdout)")
    let now = try user.crontab()
    #expect(now.contains("\n\(line)\n"), "\(now)")
    #expect(!now.contains("-e prod") && !now.contains("MAILTO"), "\(now)")
  }

  /// `--watchdog` adds `status --notify` every ten minutes, once per root,
  /// and later installs keep it.
  @Test func theWatchdogLineIsInstalledOnce() throws {
    let user = try TestUser()
    defer { user.remove() }
    let root = nightlyRoot()
    let crontab = ["--crontab-user", user.name]
    let watchdog =
      "*/10 * * * * \(Orchestrate.resolvedBinary) status --notify --quiet --root \(root.path)"
    for arguments in [["--watchdog"], ["--watchdog"], ["--watchdog", "nightly"], []] {
      let installed = try schedule(root, ["--install", "crontab"] + arguments + crontab)
      #expect(installed.exitCode == 0, "\(installed.stderr)")
      let lines = try user.crontab().split(separator: "\n")
      #expect(lines.filter { $0 == watchdog }.count == 1, "\(arguments): \(lines)")
      #expect(lines.filter { $0.hasPrefix("# orchestrate watchdog") }.count == 1)
    }
    let refused = try schedule(root, ["--install", "systemd", "--watchdog", "--unit-dir", "/tmp"])
    #expect(refused.exitCode == 2)
    try schedule(root, ["--uninstall", "crontab"] + crontab)
    #expect(try user.crontab() == "")
  }

  /// System units run as the user who installed them, as the crontab line
  /// did, unless told otherwise; they carry the scheduled run's arguments.
  @Test func systemUnitsNameTheirUserAndCarryTheRunsArguments() throws {
    let root = TestRoot()
    root.write(
      "pipelines/nightly.yaml",
      """
      schedule: {cron: '0 2 * * *', environment: prod}
      params: {region: {type: string, default: us}}
      environments: {dev: {}, prod: {}}
      default_environment: dev
      tasks: [{name: a, run: 'true'}]
      """)
    let units = "\(root.path)/units"
    let service = "units/orchestrate-nightly.service"
    let plain = Orchestrate.cronEnvironment()
    let installed = try schedule(
      root, ["--install", "systemd", "--unit-dir", units, "-p", "region=eu west"],
      environment: plain)
    #expect(installed.exitCode == 0, "\(installed.stderr)")
    let text = try #require(root.read(service))
    #expect(text.contains("\nUser=root\n"), "\(text)")
    #expect(
      text.contains(
        "\nExecStart=\(Orchestrate.resolvedBinary) \(root.path)/pipelines/nightly.yaml "
          + "-e prod -p \"region=eu west\"\n"), "\(text)")
    try verify(["\(units)/orchestrate-nightly.service", "\(units)/orchestrate-nightly.timer"])

    // A later install without -p keeps what the earlier one was given.
    try schedule(root, ["--install", "systemd", "--unit-dir", units], environment: plain)
    #expect(root.read(service)?.contains("-e prod -p \"region=eu west\"\n") == true)

    let sudo = try schedule(
      root, ["--install", "systemd", "--unit-dir", units],
      environment: Orchestrate.cronEnvironment(["SUDO_USER": "nobody"]))
    #expect(sudo.exitCode == 0, "\(sudo.stderr)")
    #expect(root.read(service)?.contains("\nUser=nobody\n") == true)
    try schedule(root, ["--install", "systemd", "--unit-dir", units, "--run-as", "daemon"])
    #expect(root.read(service)?.contains("\nUser=daemon\n") == true)

    let userUnits = try schedule(root, ["--install", "systemd", "--user", "--unit-dir", units])
    #expect(userUnits.exitCode == 0, "\(userUnits.stderr)")
    #expect(root.read(service)?.contains("User=") == false, "user units run as their user")

    let nobody = try schedule(
      root, ["--install", "systemd", "--unit-dir", units, "--run-as", "no-such-user-x"])
    #expect(nobody.exitCode == 2)
    #expect(
      nobody.stderr.contains("--run-as: no user 'no-such-user-x' on this machine"),
      "\(nobody.stderr)")
    let both = try schedule(root, ["--install", "systemd", "--user", "--run-as", "daemon"])
    #expect(both.exitCode == 2)
  }

  /// `systemd-analyze verify`, where this machine can run it: a unit that
  /// is certainly valid must pass first, else the check is skipped with the reason.
  func verify(_ files: [String]) throws {
    let probe = FileManager.default.temporaryDirectory.appendingPathComponent(
      "orchestrate-probe-\(UUID().uuidString).service"
    ).path
    try "[Service]\nType=oneshot\nExecStart=/bin/true\n".write(
      toFile: probe, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: probe) }
    let baseline = try system(["sh", "-c", "systemd-analyze verify '\(probe)' 2>&1"])
    guard baseline.status == 0 else {
      print("skipped systemd-analyze verify: it fails on a valid unit here: \(baseline.output)")
      return
    }
    let result = try system(
      [
        "sh", "-c",
        "systemd-analyze verify " + files.map { "'\($0)'" }.joined(separator: " ") + " 2>&1",
      ])
    #expect(result.status == 0, "\(result.output)")
    #expect(result.output.isEmpty, "\(result.output)")
  }
}

/// A user made for one test, whose crontab the test may replace.
struct TestUser {
  let name = "orch-\(UUID().uuidString.prefix(8).lowercased())"

  init() throws {
    let created = try system(["/usr/sbin/useradd", "-M", "-s", "/usr/sbin/nologin", name])
    try #require(created.status == 0, "useradd \(name) failed (the tests run as root)")
  }

  func setCrontab(_ text: String) throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(name).cron").path
    try text.write(toFile: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: file) }
    try #require(try system(["crontab", "-u", name, file]).status == 0)
  }

  func crontab() throws -> String {
    try system(["crontab", "-u", name, "-l"]).output
  }

  var uid: uid_t? { getpwnam(name).map { $0.pointee.pw_uid } }

  func remove() {
    _ = try? system(["crontab", "-u", name, "-r"])
    _ = try? system(["/usr/sbin/userdel", name])
  }
}
