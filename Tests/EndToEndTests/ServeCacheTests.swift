import Foundation
import OrchestrateKit
import TestSupport
import Testing

/// `serve` keeps its answers between requests: never past a change of the
/// records, and with the validators and compression browsers use.
@Suite(.serialized) struct ServeCacheTests {
  func preparedRoot() throws -> (TestRoot, [RunRecord]) { try ReportTests().preparedRoot() }

  @Test func keptPagesChangeAsSoonAsARunEnds() throws {
    let (root, records) = try preparedRoot()
    let served = try Served(root)
    let paths = ["/", "/pipelines/nightly.html", "/api/status", "/api/pipelines/nightly/runs"]
    // Asked twice: the second answer comes from what was kept.
    var before: [String: Served.Response] = [:]
    for path in paths {
      _ = try served.get(path)
      before[path] = try served.get(path)
      #expect(before[path]?.status == 200, "\(path)")
    }
    try Orchestrate.run(["nightly", "--root", root.path])
    let newest = try #require(try root.records("nightly").map(\.runId).last)
    #expect(!records.map(\.runId).contains(newest))
    for path in paths {
      let tag = try #require(before[path]?.header("ETag"), "\(path)")
      let after = try served.get(path, headers: ["If-None-Match: \(tag)"])
      #expect(after.status == 200, "\(path): the run that ended changed it")
      #expect(after.header("ETag") != tag, "\(path)")
      #expect(after.body.contains(newest), "\(path) names the newest run")
      #expect(before[path]?.body.contains(newest) == false, "\(path)")
    }
  }

  @Test func unchangedAnswerIsNotModified() throws {
    let (root, records) = try preparedRoot()
    let served = try Served(root)
    // The list of runs depends on the records alone, not on the clock.
    let path = "/api/pipelines/nightly/runs"
    let first = try served.get(path)
    let tag = try #require(first.header("ETag"))
    #expect(
      first.header("Cache-Control") == "private, no-cache", "kept by the browser, asked again")
    let again = try served.get(path, headers: ["If-None-Match: \(tag)"])
    #expect(again.status == 304)
    #expect(again.data.isEmpty)
    #expect(again.header("ETag") == tag)
    let other = try served.get(path, headers: ["If-None-Match: \"0000000000000000\""])
    #expect(other.status == 200)
    #expect(other.body == first.body)
    #expect(
      try served.get("/api/runs/\(records[0].runId)", headers: ["If-None-Match: *"]).status == 304)

    // Last-Modified is given once its second has come.
    var dated = first
    let deadline = Date().addingTimeInterval(30)
    while dated.header("Last-Modified") == nil {
      try #require(Date() < deadline, "no Last-Modified: \(dated.headers)")
      usleep(100_000)
      dated = try served.get(path)
    }
    let modified = try #require(dated.header("Last-Modified"))
    #expect(modified.hasSuffix(" GMT"))
    let since = try served.get(path, headers: ["If-Modified-Since: \(modified)"])
    #expect(since.status == 304)
    let earlier = try served.get(
      path, headers: ["If-Modified-Since: Thu, 01 Jan 2015 00:00:00 GMT"])
    #expect(earlier.status == 200)
    // The tag decides when both are sent.
    let both = try served.get(
      path, headers: ["If-None-Match: \"0000000000000000\"", "If-Modified-Since: \(modified)"])
    #expect(both.status == 200)
  }

  @Test func gzipBodyIsTheSameBytes() throws {
    let (root, _) = try preparedRoot()
    let served = try Served(root)
    for path in ["/", "/pipelines/nightly.html", "/api/status"] {
      // The page moves with the clock: compare two answers of one version,
      // whose tags say so.
      var pair: (plain: Served.Response, packed: Served.Response)?
      for _ in 0..<5 where pair == nil {
        let plain = try served.get(path)
        let packed = try served.get(path, headers: ["Accept-Encoding: gzip, deflate"])
        let tag = try #require(plain.header("ETag"))
        if packed.header("ETag") == String(tag.dropLast()) + "-gz\"" { pair = (plain, packed) }
      }
      let (plain, packed) = try #require(pair, "\(path): no two answers of one version")
      #expect(plain.header("Content-Encoding") == nil)
      #expect(packed.header("Content-Encoding") == "gzip", "\(path)")
      #expect(packed.header("Vary") == "Accept-Encoding")
      #expect(packed.data.count < plain.data.count, "\(path)")
      let scratch = TestRoot()
      let file = scratch.path + "/body.gz"
      try packed.data.write(to: URL(fileURLWithPath: file))
      let unpacked = try system(["sh", "-c", "gzip -dc \(file) > \(file).out"])
      #expect(unpacked.status == 0)
      #expect(FileManager.default.contents(atPath: file + ".out") == plain.data, "\(path)")
    }
    // Refused with a weight of zero; small answers are not worth it.
    let refused = try served.get("/", headers: ["Accept-Encoding: gzip;q=0"])
    #expect(refused.header("Content-Encoding") == nil)
    let small = try served.get("/api/pipelines/nightly/runs", headers: ["Accept-Encoding: gzip"])
    #expect(small.header("Content-Encoding") == nil)
  }

  @Test func liveViewOfARunningRunMovesOn() throws {
    let (root, running, served, runId) = try Served.liveRun(
      """
      touch "$ORCHESTRATE_ROOT/started"
      i=0
      while [ ! -e "$ORCHESTRATE_ROOT/release" ]; do
        i=$((i + 1))
        echo "{\\"done\\": $i, \\"total\\": 100000}" >> "$ORCHESTRATE_PROGRESS"
        sleep 0.2
      done
      """)
    defer { root.write("release", "") }
    let path = "/runs/\(runId).html?live=1"
    let first = try served.get(path)
    #expect(first.body.hasPrefix("<section id=\"live\" data-running=\"true\">"))
    // As the page's script asks: 2 s later.
    usleep(2_000_000)
    let second = try served.get(path)
    #expect(second.body != first.body, "the live view of a running run moves on")
    #expect(second.body.hasPrefix("<section id=\"live\" data-running=\"true\">"))

    root.write("release", "")
    #expect(running.wait().exitCode == 0)
    let done = try served.get(path).body
    #expect(done.hasPrefix("<section id=\"live\" data-running=\"false\">"), "\(done.prefix(200))")
  }
}
