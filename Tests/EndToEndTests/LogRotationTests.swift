import Foundation
import OrchestrateKit
import TestSupport
import Testing

/// `orchestrate rotate`, and the rotation every run does when it ends.
@Suite(.serialized) struct LogRotationTests {
  @Test func rotateAppliesEachPipelinesPolicy() throws {
    let root = TestRoot()
    root.write(
      "pipelines/kept.yaml",
      """
      tasks: [{name: a, run: "true"}]
      logs: {compress_after: 1d, delete_after: never, compression: zstd}
      """)
    let ancient = RunID.daysAgo(400)
    let old = RunID.daysAgo(10)
    let expired = RunID.daysAgo(40)
    let fresh = RunID.daysAgo(1)
    root.makeRunLogs("kept", ancient)
    for run in [old, expired, fresh] { root.makeRunLogs("other", run) }
    // What the user keeps beside the runs is theirs, however old.
    let scratch = root.makeRunLogs("other", "scratch")
    root.write("logs/other/README", "notes\n")
    root.write("logs/other/run_notes.tar.gz", "mine\n")
    let ancientTime = timeval(tv_sec: 1_000_000_000, tv_usec: 0)
    #expect(utimes(scratch, [ancientTime, ancientTime]) == 0)
    let foreign = ["README", "run_notes.tar.gz", "scratch/"]

    let dryRun = try Orchestrate.run(["rotate", "--root", root.path, "--dry-run"])
    #expect(dryRun.exitCode == 0, "\(dryRun.stderr)")
    #expect(dryRun.stdout.contains("kept: would compress \(ancient) → \(ancient).tar.zst"))
    let plan = dryRun.stdout.split(separator: "\n").filter { $0.hasPrefix("other: ") }
    #expect(plan.count == 4, "\(dryRun.stdout)")
    // Oldest first, then what is left alone, then the totals.
    #expect(plan[0].hasPrefix("other: would delete \(expired)/ ("))
    #expect(plan[1].hasPrefix("other: would compress \(old) → \(old).tar.gz ("))
    #expect(
      plan[2] == "other: left alone, not written by orchestrate: \(foreign.joined(separator: ", "))"
    )
    #expect(plan[3].hasPrefix("other: total: compress 1 run(s) ("))
    #expect(plan[3].contains("; delete 1 run(s) ("))
    #expect(dryRun.stdout.components(separatedBy: "scratch/").count == 2, "named once")
    #expect(
      root.logEntries("other")
        == [old, expired, fresh, "README", "run_notes.tar.gz", "scratch"].sorted())

    // From cron: the root from the environment, and nothing printed when all went well.
    let result = try Orchestrate.run(
      ["rotate"], environment: Orchestrate.cronEnvironment(["ORCHESTRATE_ROOT": root.path]))
    #expect(result.exitCode == 0, "\(result.stderr)")
    #expect(result.stdout.isEmpty && result.stderr.isEmpty, "\(result.stdout)\(result.stderr)")
    #expect(root.logEntries("kept") == ["\(ancient).tar.zst"])
    #expect(
      root.logEntries("other")
        == ["\(old).tar.gz", fresh, "README", "run_notes.tar.gz", "scratch"].sorted())
    #expect(root.read("logs/other/scratch/orchestrate.log") != nil)

    let listing = try system(["tar", "-tzf", "\(root.path)/logs/other/\(old).tar.gz"])
    #expect(listing.status == 0)
    #expect(listing.output.contains("\(old)/extract[geo].log"))

    let again = try Orchestrate.run(["rotate", "other", "--root", root.path, "-v"])
    #expect(
      again.stdout.hasPrefix("other: nothing to do (compress after 7d, delete after 30d, gzip)"))
    let unknown = try Orchestrate.run(["rotate", "nope", "--root", root.path])
    #expect(unknown.exitCode == 2)
    #expect(
      unknown.stderr.contains(
        "no logs of pipeline 'nope' in \(root.path)/logs (found: kept, other)"))
  }

  @Test func aRunRotatesItsPipelinesOlderLogsWhenItEnds() throws {
    let root = TestRoot()
    let file = root.write("pipelines/p.yaml", "tasks: [{name: hello, run: echo hello}]")
    let old = RunID.daysAgo(10)
    let expired = RunID.daysAgo(40)
    root.makeRunLogs("p", old)
    root.makeRunLogs("p", expired)
    let result = try Orchestrate.run([file, "--verbose"])
    #expect(result.exitCode == 0, "\(result.stderr)")
    let record = try root.onlyRecord("p")
    #expect(root.logEntries("p") == ["\(old).tar.gz", record.runId].sorted())
    #expect(root.read("logs/p/\(record.runId)/hello.log")?.contains("hello") == true)
    let events = try #require(root.read("logs/p/\(record.runId)/orchestrate.log"))
    #expect(events.contains("logs: compressed \(old) → \(old).tar.gz ("))
    #expect(events.contains("logs: deleted \(expired)/"))
    #expect(result.stderr.contains("logs: compressed \(old)"))
  }

  @Test func aPipelineWithARunInProgressIsLeftAlone() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/p.yaml", "tasks: [{name: wait, run: 'touch ready; sleep 300 # \(root.marker)'}]")
    let old = RunID.daysAgo(10)
    root.makeRunLogs("p", old)
    let running = try Orchestrate.start([file])
    try root.waitFor("ready")
    let result = try Orchestrate.run(["rotate", "--root", root.path, "--verbose"])
    #expect(result.exitCode == 0, "\(result.stderr)")
    #expect(result.stdout.contains("p: skipped: another run of p is in progress: run_"))
    #expect(root.logEntries("p").contains(old))
    // A cancelled run only deletes: compressing waits for a calmer moment.
    running.signal(SIGTERM)
    #expect(running.wait(timeout: 30).signal == SIGTERM)
    #expect(root.logEntries("p").contains(old))
    #expect(root.processes().isEmpty)
  }

  @Test func aRunThatCannotBeRotatedIsReportedAndTheOthersAreRotated() throws {
    let root = TestRoot()
    let stuck = RunID.daysAgo(10, pid: 1)
    let fine = RunID.daysAgo(10, pid: 2)
    let damaged = RunID.daysAgo(10, pid: 3)
    #expect(mkfifo("\(root.makeRunLogs("p", stuck))/fifo", 0o644) == 0)
    root.makeRunLogs("p", fine)
    // A damaged archive beside its directory (as a crash could leave it) is written again.
    root.makeRunLogs("p", damaged)
    root.write("logs/p/\(damaged).tar.gz", "not an archive")
    let result = try Orchestrate.run(["rotate", "--root", root.path, "-v"])
    #expect(result.exitCode == 1)
    #expect(result.stderr.contains("orchestrate: p: \(stuck): cannot archive"))
    #expect(result.stdout.contains("p: compressed \(fine) → \(fine).tar.gz"))
    #expect(result.stdout.contains("p: compressed \(damaged) → \(damaged).tar.gz again"))
    #expect(root.logEntries("p") == [stuck, "\(fine).tar.gz", "\(damaged).tar.gz"].sorted())
    #expect(try system(["tar", "-tzf", "\(root.path)/logs/p/\(damaged).tar.gz"]).status == 0)
  }

  /// libarchive is loaded only when an archive is needed: where it cannot
  /// be (hidden here in a private mount namespace), rotation says so in one
  /// line naming the package and leaves every run as it was.
  @Test(.enabled(if: privateMountsWork)) func withoutLibarchiveRotationSaysSoAndKeepsTheLogs()
    throws
  {
    let root = TestRoot()
    let old = RunID.daysAgo(10)
    root.makeRunLogs("p", old)
    let hideLibrary = """
      library=$(readlink -f "$(/sbin/ldconfig -p | awk '/libarchive\\.so\\.13 /{print $NF; exit}')")
      mount --bind /dev/null "$library" && exec "$@"
      """
    let result = try Orchestrate.run(
      [
        "--mount", "sh", "-c", hideLibrary, "sh", Orchestrate.binary, "rotate", "--root", root.path,
      ],
      binary: "/usr/bin/unshare")
    #expect(result.exitCode == 1)
    #expect(result.stderr.contains("libarchive cannot be loaded"), "\(result.stderr)")
    #expect(result.stderr.contains("apt-get install libarchive13"), "\(result.stderr)")
    #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    #expect(root.logEntries("p") == [old])
    #expect(root.read("logs/p/\(old)/orchestrate.log") != nil)
    // --version, status and a run never touch it.
    let version = try Orchestrate.run(
      ["--mount", "sh", "-c", hideLibrary, "sh", Orchestrate.binary, "--version"],
      binary: "/usr/bin/unshare")
    #expect(version.exitCode == 0, "\(version.stderr)")
  }

  /// Root may make a private mount namespace here (not in every container).
  static let privateMountsWork =
    (try? system(["/usr/bin/unshare", "--mount", "true"]).status) == 0

  /// SIGKILL in the middle of compressing a large run, then rotate again:
  /// the run is always whole, as a directory or as an archive.
  @Test func aRotationKilledMidwayLeavesTheDirectoryOrTheArchive() throws {
    let root = TestRoot()
    let run = RunID.daysAgo(10)
    let directory = root.makeRunLogs("p", run)
    let big = "\(directory)/big.log"
    try writeLargeLog(big, megabytes: 110)
    let bigSize = try FileManager.default.attributesOfItem(atPath: big)[.size] as! Int
    let temporary = "logs/p/.\(run).tar.gz.tmp"

    let rotation = try Orchestrate.start(["rotate", "--root", root.path])
    let deadline = Date().addingTimeInterval(30)
    while (try? FileManager.default.attributesOfItem(atPath: "\(root.path)/\(temporary)")[.size]
      as? Int ?? 0) ?? 0 < 1 << 20
    {
      try #require(Date() < deadline, "the temporary archive did not grow")
      usleep(2_000)
    }
    rotation.signal(SIGKILL)
    #expect(rotation.wait().signal == SIGKILL)
    #expect(root.logEntries("p") == [".\(run).tar.gz.tmp", run])
    #expect((try FileManager.default.attributesOfItem(atPath: big)[.size] as! Int) == bigSize)

    let again = try Orchestrate.run(["rotate", "--root", root.path, "-v"])
    #expect(again.exitCode == 0, "\(again.stderr)")
    #expect(again.stdout.contains("removed .\(run).tar.gz.tmp, left by a stopped rotation"))
    #expect(root.logEntries("p") == ["\(run).tar.gz"])
    let listing = try system(["tar", "-tvzf", "\(root.path)/logs/p/\(run).tar.gz"])
    #expect(listing.status == 0)
    #expect(listing.output.contains(" \(bigSize) "))
  }

  /// Log lines repeated in 1 MiB chunks: gzip's 32 KiB window never sees the repeats.
  private func writeLargeLog(_ path: String, megabytes: Int) throws {
    let chunk = Data(TestRoot.logText(lines: 12_000, tag: "big").utf8.prefix(1 << 20))
    FileManager.default.createFile(atPath: path, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    for _ in 0..<megabytes { try handle.write(contentsOf: chunk) }
  }
}
