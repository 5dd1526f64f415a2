import Foundation
import OrchestrateKit
import Testing

/// The orchestrator itself dies: SIGKILL at any moment, signals in its first
/// milliseconds, a full disk, ten starts at once. Every run must still leave
/// a record that tells the truth and no process behind.
@Suite(.serialized) struct CrashTests {
  /// Twenty tasks, three at a time, some leaving children behind, one
  /// leaving a child that escapes into a session of its own.
  static func chaosPipeline(_ root: TestRoot) -> String {
    var tasks = ""
    for index in 1...20 {
      let run =
        switch index % 4 {
        case 0: "sleep 0.0\(index % 7 + 1); sleep 600 & echo left a child"
        case 1: "sleep 0.0\(index % 5 + 2); echo done"
        case 2: "setsid sleep 601 & sleep 0.03"
        default: "sleep 0.02; exit \(index % 3 == 0 ? 1 : 0)"
        }
      let dependency = index > 4 ? ", depends_on: [t\(index - 4)], run_if: always" : ""
      tasks += "  - {name: t\(index), run: '\(run)', kill_grace: 1s\(dependency)}\n"
    }
    return root.write("pipelines/chaos.yaml", "max_parallel: 3\ntasks:\n" + tasks)
  }

  @Test func killedAtRandomMomentsEveryRecordTellsTheTruth() throws {
    let kills = Int(ProcessInfo.processInfo.environment["ORCHESTRATE_CHAOS_KILLS"] ?? "") ?? 25
    let root = TestRoot()
    let file = Self.chaosPipeline(root)
    var generator = SystemRandomNumberGenerator()
    for round in 0..<kills {
      let run = try Orchestrate.start([file])
      // A third of the kills within the first 20 ms, the others anywhere in the run.
      let delay =
        round % 3 == 0
        ? UInt32.random(in: 0...20_000, using: &generator)
        : UInt32.random(in: 20_000...700_000, using: &generator)
      usleep(delay)
      run.signal(SIGKILL)
      _ = run.wait()
    }
    let last = try Orchestrate.run([file])
    #expect(last.exitCode == 1, "\(last.stderr)")

    let records = try root.records("chaos")
    #expect(records.count >= 1)
    for record in records {
      #expect(record.status != .running, "\(record.runId) still says running")
      #expect(record.counts == TaskCounts(record.tasks))
      guard record.status == .abandoned else { continue }
      // Every completion the orchestrator logged is in the settled record.
      let log = root.read("logs/chaos/\(record.runId)/orchestrate.log") ?? ""
      for line in log.split(separator: "\n") where line.contains(" completed in ") {
        let name = String(line.split(separator: " ")[1])
        #expect(
          record.task(name)?.status == .completed,
          "\(record.runId): \(name) completed but is \(record.task(name)?.status.rawValue ?? "?")")
      }
      for task in record.tasks {
        #expect(task.status != .running && task.status != .pending)
        if task.status == .skipped { #expect(task.attempts.isEmpty) }
      }
    }
    #expect(root.tasksStillAlive().isEmpty, "processes of killed runs: \(root.tasksStillAlive())")
    let leftovers = try FileManager.default.contentsOfDirectory(
      atPath: "\(root.path)/metrics/chaos"
    )
    .filter { $0.hasSuffix(".tmp") || $0.hasSuffix(".reserve") }
    #expect(leftovers.isEmpty)
    // No log directory without its record: a run either recorded itself or left nothing.
    let logDirectories = try FileManager.default.contentsOfDirectory(
      atPath: "\(root.path)/logs/chaos"
    ).filter { $0.hasPrefix("run_") }
    #expect(Set(logDirectories).isSubset(of: Set(records.map(\.runId))))
  }

  @Test func aSignalInTheFirstMillisecondsIsNeverLost() throws {
    let root = TestRoot()
    let file = root.write("pipelines/p.yaml", "tasks: [{name: a, run: 'sleep 0.3'}]")
    for delay in stride(from: 0, through: 20_000, by: 1_000) {
      let run = try Orchestrate.start([file])
      usleep(UInt32(delay))
      run.signal(SIGTERM)
      let result = run.wait()
      #expect(
        result.signal == SIGTERM,
        "SIGTERM after \(delay / 1000) ms: exit \(result.exitCode.map(String.init) ?? "-")")
    }
    for record in try root.records("p") {
      #expect(record.status == .cancelled)
      #expect(record.exitCode == 143)
      #expect(record.reason == "received SIGTERM")
    }
    let logDirectories =
      (try? FileManager.default.contentsOfDirectory(atPath: "\(root.path)/logs/p")) ?? []
    #expect(Set(logDirectories).isSubset(of: Set(try root.records("p").map(\.runId))))
    #expect(root.tasksStillAlive().isEmpty)
  }

  @Test func everyLoserOfTheLockRaceNamesTheHolder() throws {
    let root = TestRoot()
    let file = root.write("pipelines/p.yaml", "tasks: [{name: a, run: 'sleep 0.5'}]")
    for _ in 0..<3 {
      let runs = try (0..<10).map { _ in try Orchestrate.start([file]) }
      let results = runs.map { $0.wait() }
      let winners = results.filter { $0.exitCode == 0 }
      #expect(winners.count >= 1)
      for loser in results where loser.exitCode == 75 {
        let holder = try #require(
          loser.stderr.firstMatch(
            of: #/another run of p is in progress: run_\d{8}_\d{6}_(\d+) \(pid (\d+), since /#),
          "\(loser.stderr)")
        #expect(holder.output.1 == holder.output.2)
        #expect(runs.contains { String($0.pid) == holder.output.1 })
      }
      #expect(results.allSatisfy { $0.exitCode == 0 || $0.exitCode == 75 })
    }
  }

  @Test func leftoversOfADeadWriterAreRemovedAndNothingElse() throws {
    let root = TestRoot()
    let file = root.write("pipelines/p.yaml", "tasks: [{name: a, run: 'true'}]")
    // The pid of a process that has exited, and ours, which is alive.
    let gone = try Orchestrate.start(["--version"])
    _ = gone.wait()
    root.write("metrics/p/.run_20260101_000000_\(gone.pid).json.\(gone.pid).tmp", "{")
    root.write("metrics/p/.run_20260101_000000_\(gone.pid).json.\(gone.pid).reserve", "")
    root.write("metrics/p/.status-index.\(gone.pid).tmp", "")
    root.write("metrics/p/.run_20260101_000000_1.json.\(getpid()).tmp", "{")
    root.write("metrics/p/notes.tmp", "mine")
    #expect(try Orchestrate.run([file]).exitCode == 0)
    let left = try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/metrics/p")
    #expect(!left.contains { $0.contains(".\(gone.pid).") })
    #expect(left.contains(".run_20260101_000000_1.json.\(getpid()).tmp"))
    #expect(left.contains("notes.tmp"))
  }

  @Test func aRunWhoseFinalRecordWasLostIsSettledAsFailed() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/p.yaml", "tasks: [{name: a, run: 'true'}, {name: b, run: 'true'}]")
    #expect(try Orchestrate.run([file]).exitCode == 0)
    // As a run leaves it when its final write fails: the record of one
    // second in, and the journal with the rest and the failed write.
    var record = try root.onlyRecord("p")
    let path = "\(root.path)/metrics/p/\(record.runId).json"
    let journal = "\(root.path)/logs/p/\(record.runId)/orchestrate.journal"
    record.status = .running
    record.finishedAt = nil
    record.exitCode = nil
    record.pid = 999_999
    for index in record.tasks.indices { record.tasks[index].status = .pending }
    try JSONSerialization.data(withJSONObject: try Self.object(record)).write(
      to: URL(fileURLWithPath: path))
    let handle = try #require(FileHandle(forWritingAtPath: journal))
    handle.seekToEndOfFile()
    handle.write(Data("record-lost\t1796000000000\tcompleted\t0\tNo space left on device\n".utf8))
    try handle.close()
    StatusIndexReset.remove(root)

    let status = try Orchestrate.run(["status", "--check", "--root", root.path])
    #expect(status.stdout.contains("last run \(record.runId) failed"), "\(status.stdout)")
    #expect(!status.stdout.contains("abandoned"), "\(status.stdout)")
    #expect(try Orchestrate.run([file]).exitCode == 0)
    let settled = try #require(try root.records("p").first { $0.runId == record.runId })
    #expect(settled.status == .failed)
    #expect(
      settled.reason?.hasPrefix("final record could not be written (No space left on device)")
        == true)
    #expect(settled.tasks.allSatisfy { $0.status == .completed })
  }

  @Test(.enabled(if: SmallDiskRoot.canMount, "mount -t tmpfs is refused here"))
  func aRunThatFillsTheDiskStillEndsWithAFinalRecord() throws {
    let disk = try SmallDiskRoot()
    let root = disk.root
    let file = root.write(
      "pipelines/fill.yaml",
      """
      max_parallel: 2
      tasks:
        - {name: fill, run: 'head -c 3000000 /dev/zero > filler'}
        - {name: after, run: 'seq 1 1000', depends_on: [fill], run_if: always}
        - {name: other, run: 'seq 1 100000'}
      """)
    let run = try Orchestrate.run([file])
    #expect(run.exitCode == 1, "\(run.stderr)")
    let record = try root.onlyRecord("fill")
    #expect(record.status != .running)
    #expect(record.status == .failed || record.status == .partial)
    #expect(record.exitCode == 1)
    #expect(record.task("fill")?.status == .failed)
    let status = try Orchestrate.run(["status", "--json", "--root", root.path])
    #expect(
      status.stdout.contains("\"status\" : \"\(record.status.rawValue)\""), "\(status.stdout)")
    #expect(!status.stdout.contains("\"status\" : \"running\""))

    // The disk is full now: the next run says so and starts nothing; its
    // small refused record is written when the space left allows.
    let refused = try Orchestrate.run([file])
    #expect(refused.exitCode == 2)
    #expect(refused.stderr.contains("No space left on device"), "\(refused.stderr)")
    #expect(refused.stderr.contains("no task was started"))
    let after = try root.records("fill")
    #expect(after.first?.runId == record.runId)
    #expect(after.dropFirst().allSatisfy { $0.status == .refused } && after.count <= 2)
    let runs = try FileManager.default.contentsOfDirectory(atPath: "\(root.path)/logs/fill")
    #expect(runs == [record.runId])
    #expect(!refused.stderr.contains("last complete record"))
  }

  static func object(_ record: RunRecord) throws -> Any {
    try JSONSerialization.jsonObject(with: RecordCoding.encoder().encode(record))
  }
}

/// Forgets the status index, as after it was lost or rebuilt.
enum StatusIndexReset {
  static func remove(_ root: TestRoot) {
    for pipeline in (try? FileManager.default.contentsOfDirectory(atPath: "\(root.path)/metrics"))
      ?? []
    {
      unlink("\(root.path)/metrics/\(pipeline)/.status-index")
    }
  }
}

/// A root on a 2 MiB tmpfs that tasks can fill (the tests run as root).
final class SmallDiskRoot {
  let root = TestRoot()

  static let canMount: Bool = {
    let probe = TestRoot()
    defer { umount(probe.path) }
    return mount("tmpfs", probe.path, "tmpfs", 0, "size=64k") == 0
  }()

  init() throws {
    try #require(mount("tmpfs", root.path, "tmpfs", 0, "size=2m") == 0)
  }

  deinit {
    for pid in root.tasksStillAlive() { kill(pid, SIGKILL) }
    umount2(root.path, Int32(MNT_DETACH))
  }
}
