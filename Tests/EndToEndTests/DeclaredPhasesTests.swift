import Foundation
import OrchestrateKit
import Testing

/// A task declares its phases; the record lists them all from the start,
/// says which one it failed in and why, status and the run page name it,
/// and a rerun tells the task where to resume.
@Suite(.serialized) struct DeclaredPhasesTests {
  /// `embed` goes through four phases and fails in the third until `fixed`
  /// exists; it writes what `ORCHESTRATE_RESUME_PHASE` says to `resumed`.
  static func pipeline(_ root: TestRoot) -> String {
    root.write(
      "pipelines/ingest.yaml",
      """
      tasks:
        - name: embed
          phases:
            - loading
            - {name: chunking, weight: 1}
            - {name: embedding, weight: 6}
            - {name: indexing, weight: 2}
          run: |
            echo "resume=${ORCHESTRATE_RESUME_PHASE:-none}" >> resumed
            while [ ! -e go ]; do sleep 0.02; done
            echo '{"phase": "loading", "done": 3, "total": 3}' >> "$ORCHESTRATE_PROGRESS"
            echo '{"phase": "chunking", "done": 10, "total": 10}' >> "$ORCHESTRATE_PROGRESS"
            echo '{"phase": "embedding", "done": 4, "total": 40}' >> "$ORCHESTRATE_PROGRESS"
            if [ ! -e fixed ]; then echo "CUDA out of memory at batch 4" >&2; exit 3; fi
            echo '{"phase": "indexing", "done": 1, "total": 1}' >> "$ORCHESTRATE_PROGRESS"
        - {name: publish, run: 'true', depends_on: [embed]}
      """)
  }

  @Test func aTaskFailingInItsThirdPhaseSaysWhereAndResumesThere() throws {
    let root = TestRoot()
    let file = Self.pipeline(root)
    let running = try Orchestrate.start([file])
    // Before the task reports anything, every declared phase is listed, pending.
    try waitUntil { (try? root.records("ingest").first?.task("embed")?.status) == .running }
    let early = try #require(try root.records("ingest").first?.task("embed"))
    #expect(early.phases?.map(\.name) == ["loading", "chunking", "embedding", "indexing"])
    #expect(early.phases?.allSatisfy { $0.status == .pending } == true)
    #expect(early.phases?.map(\.weight) == [0.1, 0.1, 0.6, 0.2])
    root.write("go", "")
    #expect(running.wait().exitCode == 1)

    let record = try root.onlyRecord("ingest")
    let embed = try #require(record.task("embed"))
    let phases = try #require(embed.phases)
    #expect(phases.map(\.status) == [.completed, .completed, .failed, .skipped])
    #expect(phases[2].error?.contains("CUDA out of memory at batch 4") == true)
    #expect(phases[2].done == 4 && phases[2].total == 40)
    #expect(phases[2].startedAt != nil && phases[2].finishedAt != nil)
    #expect(phases[3].startedAt == nil)
    #expect(phases.filter { $0.error != nil }.count == 1)
    #expect(embed.reason == "exit 3; failed in phase embedding", "\(embed.reason ?? "")")
    // The task that never ran declared nothing, and has no phases.
    #expect(record.task("publish")?.phases == nil)

    let status = try Orchestrate.run(["status", "ingest", "--root", root.path])
    #expect(status.stdout.contains("failed in phase embedding"), "\(status.stdout)")

    let report = try Orchestrate.run(["report", "--root", root.path])
    #expect(report.exitCode == 0, "\(report.stderr)")
    let page = try #require(root.read("report/runs/\(record.runId).html"))
    #expect(page.contains("<h2>Phases</h2>"))
    for (name, status) in zip(
      ["loading", "chunking", "embedding", "indexing"],
      ["completed", "completed", "failed", "skipped"])
    {
      #expect(page.contains("<tr data-phase-status=\"\(status)\"><td>"), "\(status)")
      #expect(page.contains("<td>\(name)</td>"), "\(name)")
    }
    #expect(page.contains("embed phase embedding: failed"), "the timeline marks the phase")

    root.write("fixed", "")
    let rerun = try Orchestrate.run(["rerun", "--last", "ingest", "--root", root.path])
    #expect(rerun.exitCode == 0, "\(rerun.stderr)")
    #expect(root.read("resumed") == "resume=none\nresume=embedding\n")
    let again = try #require(try root.records("ingest").first { $0.runId != record.runId })
    #expect(
      again.task("embed")?.phases?.map(\.status) == [
        .completed, .completed, .completed, .completed,
      ])
    #expect(again.task("embed")?.reason == nil)
  }

  @Test func statusShowsBothLevelsOfProgressWithAnETA() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/embed.yaml",
      """
      tasks:
        - {name: prepare, run: 'true'}
        - name: embed
          depends_on: [prepare]
          phases: [loading, chunking, {name: embedding, weight: 4}, indexing]
          run: |
            for phase in loading chunking embedding; do
              echo "{\\"phase\\": \\"$phase\\", \\"done\\": 1, \\"total\\": 4}" >> "$ORCHESTRATE_PROGRESS"
            done
            while [ -e hold ] && [ ! -e go ]; do sleep 0.02; done
            echo '{"phase": "indexing"}' >> "$ORCHESTRATE_PROGRESS"
        - {name: publish, run: 'true', depends_on: [embed]}
      """)
    for _ in 1...2 { #expect(try Orchestrate.run([file]).exitCode == 0) }
    root.write("hold", "")
    let running = try Orchestrate.start([file])
    try waitUntil {
      let embed = try? root.records("embed").first { $0.status == .running }?.task("embed")
      return embed?.phases?.first { $0.name == "embedding" }?.status == .running
    }
    let json = try Orchestrate.run(["status", "embed", "--json", "--root", root.path])
    let document = try #require(
      try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    let pipeline = try #require((document["pipelines"] as? [[String: Any]])?.first)
    let run = try #require((pipeline["running"] as? [[String: Any]])?.first)
    #expect(run["eta_seconds"] is Double, "\(run)")
    let work = try #require(run["work_done"] as? Double)
    #expect(work > 0 && work < 1)
    let task = try #require((run["tasks"] as? [[String: Any]])?.first)
    #expect(task["phase_number"] as? Int == 3 && task["phase_count"] as? Int == 4, "\(task)")
    #expect(task["eta_seconds"] is Double, "\(task)")
    let text = try Orchestrate.run(["status", "embed", "--root", root.path])
    #expect(text.stdout.contains("[embedding 3/4]"), "\(text.stdout)")
    #expect(text.stdout.contains("of the work"), "\(text.stdout)")
    root.write("go", "")
    #expect(running.wait().exitCode == 0)
  }

  @Test func phasesAreCheckedWhenThePipelineIsRead() throws {
    let root = TestRoot()
    let file = root.write(
      "p.yaml",
      """
      tasks:
        - name: embed
          run: 'true'
          phases: [loading, {name: embedding, weight: 0}]
      """)
    let result = try Orchestrate.run(["validate", file])
    #expect(result.exitCode != 0)
    #expect(
      result.stderr.contains("tasks[0].phases[1].weight")
        && result.stderr.contains("'weight' must be a number above 0"), "\(result.stderr)")
    #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    root.write(
      "p.yaml", "tasks: [{name: embed, run: 'true', phases: [loading, loading]}]")
    let twice = try Orchestrate.run(["validate", file])
    #expect(twice.stderr.contains("phase 'loading' is listed twice"), "\(twice.stderr)")
  }
}
