import Foundation
import OrchestrateKit
import TestSupport
import Testing

/// A running task's memory, CPU and storage bytes, sampled from /proc: in
/// the live record, in `status` and `status --json`; the final record keeps
/// the bytes read and written.
@Suite(.serialized) struct LiveResourcesTests {
  @Test func statusShowsTheMemoryOfATaskWhileItRuns() throws {
    let root = TestRoot()
    let file = root.write(
      "p.yaml",
      """
      tasks:
        - name: grow
          run: |
            python3 -c '
            import os, time
            held = b"x" * (200 << 20)
            with open("written.bin", "wb") as out:
                out.write(os.urandom(4 << 20))
            open("grown", "w").close()
            while not os.path.exists("release"):
                time.sleep(0.05)
            '
      """)
    let running = try Orchestrate.start([file, "--root", root.path])
    // The live record is rewritten at least every ten seconds while a task
    // runs; a sample lands within a second of the task growing.
    try waitUntil(timeout: 60) {
      let live = try? root.records("p").first?.task("grow")?.attempts.last?.liveResources
      return (live?.rssBytes ?? 0) >= 150 << 20
    }
    let status = try Orchestrate.run(["status", "p", "--root", root.path])
    #expect(status.exitCode == 0, "\(status.stderr)")
    let line = try #require(
      status.stdout.split(separator: "\n").first { $0.contains("grow  ") }, "\(status.stdout)")
    let rss = try #require(
      line.firstMatch(of: /rss (\d+\.\d) MiB/).flatMap { Double($0.1) }, "\(line)")
    #expect(rss >= 150, "\(line)")

    let json = try Orchestrate.run(["status", "p", "--json", "--root", root.path])
    #expect(json.exitCode == 0, "\(json.stderr)")
    let document = try #require(
      try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    let pipeline = try #require((document["pipelines"] as? [[String: Any]])?.first)
    let run = try #require((pipeline["running"] as? [[String: Any]])?.first, "\(json.stdout)")
    let task = try #require((run["tasks"] as? [[String: Any]])?.first)
    let resources = try #require(task["resources"] as? [String: Any], "\(json.stdout)")
    #expect((resources["rss_bytes"] as? Int ?? 0) >= 150 << 20, "\(resources)")
    #expect((resources["processes"] as? Int ?? 0) >= 1, "\(resources)")
    #expect(resources["cpu_seconds"] is Double || resources["cpu_seconds"] is Int, "\(resources)")

    // The live record and the status document, sample included, are what
    // their schemas say.
    let liveRecord = try #require(
      try FileManager.default.contentsOfDirectory(atPath: root.path + "/metrics/p").first {
        $0.hasPrefix("run_") && $0.hasSuffix(".json")
      })
    let statusFile = root.write("status.json", json.stdout)
    for (schema, file) in [
      ("run-record.schema.json", root.path + "/metrics/p/" + liveRecord),
      ("status.schema.json", statusFile),
    ] {
      let checked = try system([
        "/usr/bin/python3", Orchestrate.packageRoot + "/scripts/check-json-schema.py",
        Orchestrate.packageRoot + "/docs/" + schema, file,
      ])
      #expect(checked.status == 0, "\(schema): \(checked.output)")
    }

    root.write("release", "")
    #expect(running.wait().exitCode == 0)
    let grow = try #require(try root.onlyRecord("p").task("grow"))
    let attempt = try #require(grow.attempts.last)
    #expect(attempt.liveResources == nil, "the final record keeps no sample")
    #expect((attempt.peakRssBytes ?? 0) >= 200 << 20)
    #expect((attempt.writeBytes ?? 0) >= 4 << 20, "\(String(describing: attempt.writeBytes))")
    #expect(attempt.readBytes != nil)
    #expect(grow.writeBytes == attempt.writeBytes && grow.readBytes == attempt.readBytes)
  }
}
