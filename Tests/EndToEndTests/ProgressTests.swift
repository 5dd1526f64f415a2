import Foundation
import OrchestrateKit
import Testing

/// Tasks report progress and counters through two files; the live record
/// shows them while the task runs, the final record keeps them.
@Suite(.serialized) struct ProgressTests {
  @Test func liveRecordShowsProgressAdvancing() throws {
    let root = TestRoot()
    let file = root.write(
      "p.yaml",
      """
      tasks:
        - name: load
          run: |
            i=0
            while [ $i -lt 6 ]; do
              i=$((i+1))
              echo "{\\"done\\": $i, \\"total\\": 6, \\"message\\": \\"file $i of 6\\", \\"phase\\": \\"loading\\"}" >> "$ORCHESTRATE_PROGRESS"
              while [ ! -e "step$i" ]; do sleep 0.02; done
            done
            echo '{"phase": "indexing", "done": 1, "total": 1}' >> "$ORCHESTRATE_PROGRESS"
            echo 'garbage' >> "$ORCHESTRATE_PROGRESS"
            echo '{"documents_loaded": 150, "chunks_created": 800}' >> "$ORCHESTRATE_METRICS"
            echo '{"chunks_created": 812}' >> "$ORCHESTRATE_METRICS"
      """)
    let running = try Orchestrate.start([file, "--root", root.path])
    var seen: [Double] = []
    for step in 1...6 {
      // The record is rewritten atomically: every read is whole JSON.
      try waitUntil {
        let done = try? root.records("p").first?.task("load")?.progress?.done
        return done == Double(step)
      }
      seen.append(Double(step))
      if step == 3 {
        let status = try Orchestrate.run(["status", "p", "--root", root.path])
        #expect(status.exitCode == 0, "\(status.stderr)")
        #expect(status.stdout.contains("load  "), "\(status.stdout)")
        #expect(status.stdout.contains("3/6  50%  file 3 of 6"), "\(status.stdout)")
      }
      root.write("step\(step)", "")
    }
    #expect(running.wait().exitCode == 0)
    #expect(seen == [1, 2, 3, 4, 5, 6])
    let load = try #require(try root.onlyRecord("p").task("load"))
    #expect(load.progress?.phase == "indexing")
    #expect(load.phases?.map(\.name) == ["loading", "indexing"])
    #expect(load.phases?.first?.done == 6)
    #expect(load.metrics == ["documents_loaded": 150, "chunks_created": 812])
    #expect(load.malformedReportLines == 1)
  }

  @Test func tasksThatReportNothingAreUnchanged() throws {
    let root = TestRoot()
    let file = root.write("p.yaml", "tasks: [{name: quiet, run: 'true'}]")
    #expect(try Orchestrate.run([file, "--root", root.path]).exitCode == 0)
    let quiet = try #require(try root.onlyRecord("p").task("quiet"))
    #expect(quiet.progress == nil && quiet.phases == nil && quiet.metrics == nil)
  }

  @Test func aCollapsedCounterIsFlaggedAgainstHistory() throws {
    let root = TestRoot()
    let file = root.write(
      "pipelines/ingest.yaml",
      """
      tasks:
        - name: load
          run: |
            echo "{\\"documents_loaded\\": $(cat count)}" >> "$ORCHESTRATE_METRICS"
      """)
    for count in [1490, 1510, 1500, 1525, 1480] {
      root.write("count", "\(count)")
      #expect(try Orchestrate.run([file]).exitCode == 0)
    }
    root.write("count", "1530")
    let normal = try Orchestrate.run([file])
    #expect(normal.stdout.isEmpty && normal.stderr.isEmpty, "a clean run is silent")
    root.write("count", "12")
    let collapsed = try Orchestrate.run([file])
    #expect(collapsed.exitCode == 0)
    #expect(
      collapsed.stdout.contains("\nanomaly: load: documents_loaded 12 is 0.01× its median 1,505\n"),
      "\(collapsed.stdout)")
    let records = try root.records("ingest")
    #expect(records.count == 7)
    let last = try #require(
      records.max {
        $0.startedAt < $1.startedAt || ($0.startedAt == $1.startedAt && $0.pid < $1.pid)
      })
    #expect(
      last.anomalies == [Anomaly(task: "load", field: "documents_loaded", value: 12, median: 1505)])
    #expect(records.filter { $0.anomalies != nil }.count == 1)
  }
}
