import Foundation
import OrchestrateKit
import Testing

/// `metrics: {delete_after: …}`: old run records go with rotation, but never
/// the newest success, a record still running, or a file that is not one.
@Suite(.serialized) struct MetricsRetentionTests {
  @Test func oldRecordsAreDeletedAndTheStatusIndexFollows() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/p.yaml",
      """
      tasks: [{name: a, run: 'exit 1'}]
      metrics: {delete_after: 30d}
      """)
    #expect(try Orchestrate.run([file]).exitCode == 1)
    let template = try root.onlyRecord("p")
    let oldest = try root.writeRecord(from: template, daysAgo: 60, status: .completed, pid: 1)
    let oldFailure = try root.writeRecord(from: template, daysAgo: 50, status: .failed, pid: 2)
    // Still running, on a host from which nobody can tell whether it is alive.
    let unsettled = try root.writeRecord(from: template, daysAgo: 45, status: .running, pid: 3) {
      $0.host = "elsewhere.example"
    }
    let newestSuccess = try root.writeRecord(
      from: template, daysAgo: 40, status: .completed, pid: 4)
    let recent = try root.writeRecord(from: template, daysAgo: 2, status: .partial, pid: 5)
    root.write("metrics/p/notes.json", "{}")
    // The index knows every record before the rotation.
    #expect(try Orchestrate.run(["status", "p", "--root", root.path]).exitCode == 0)
    let indexBefore = try #require(root.read("metrics/p/.status-index"))
    #expect(indexBefore.contains(oldest) && indexBefore.contains(oldFailure))

    let plan = try Orchestrate.run(["rotate", "--dry-run", "--root", root.path])
    #expect(plan.exitCode == 0, "\(plan.stderr)")
    let lines = plan.stdout.split(separator: "\n").map(String.init)
    #expect(lines.count == 3, "\(plan.stdout)")
    #expect(lines[0].hasPrefix("p: would delete record \(oldest).json ("))
    #expect(lines[1].hasPrefix("p: would delete record \(oldFailure).json ("))
    #expect(lines[2].hasPrefix("p: total: delete 2 record(s) ("))
    #expect(records(root).count == 7)

    // The next run rotates as it ends, silently.
    let next = try Orchestrate.run([file])
    #expect(next.exitCode == 1)
    let left = records(root)
    #expect(!left.contains(oldest) && !left.contains(oldFailure))
    #expect(left.isSuperset(of: [unsettled, newestSuccess, recent, template.runId, "notes"]))
    #expect(left.count == 6)
    let index = try #require(root.read("metrics/p/.status-index"))
    #expect(!index.contains(oldest) && !index.contains(oldFailure))
    #expect(index.contains(newestSuccess))
    let newest = try #require(left.filter { $0.hasPrefix("run_") }.max())
    let events = try #require(root.read("logs/p/\(newest)/orchestrate.log"))
    #expect(events.contains("logs: deleted record \(oldest).json ("))
  }

  /// The names of `metrics/p/*.json`, without the extension.
  private func records(_ root: TestRoot) -> Set<String> {
    let names =
      (try? FileManager.default.contentsOfDirectory(atPath: "\(root.path)/metrics/p")) ?? []
    return Set(
      names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.map { String($0.dropLast(5)) })
  }
}
