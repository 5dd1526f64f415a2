import Foundation
import TestSupport
import Testing

/// `orchestrate serve` started on a free loopback port, and curl as its client.
final class Served {
  let process: RunningOrchestrate
  let base: String

  init(_ root: TestRoot, _ extra: [String] = []) throws {
    process = try Orchestrate.start(
      ["serve", "--root", root.path, "--listen", "127.0.0.1:0"] + extra)
    // The readiness handshake: the line naming the bound port.
    let deadline = Date().addingTimeInterval(30)
    while !process.outputSoFar.contains("\n") {
      try #require(process.process.isRunning, "serve ended before listening")
      try #require(Date() < deadline, "serve did not start listening")
      usleep(10_000)
    }
    let line = process.outputSoFar
    let url = try #require(
      line.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) },
      "\(line)")
    base = url.hasSuffix("/") ? String(url.dropLast()) : url
  }

  /// A run of `live.yaml`, a one-task pipeline running `script`, which
  /// touches `$ORCHESTRATE_ROOT/started` and waits for `release` there,
  /// and `serve` started once it runs: the root, the run, the server and
  /// the run's id.
  static func liveRun(_ script: String) throws -> (
    root: TestRoot, run: RunningOrchestrate, served: Served, runId: String
  ) {
    let root = TestRoot()
    let indented = script.split(separator: "\n").map { "        " + $0 }.joined(separator: "\n")
    root.write("pipelines/live.yaml", "tasks:\n  - name: load\n    run: |\n\(indented)\n")
    let running = try Orchestrate.start(["live", "--root", root.path])
    try root.waitFor("started")
    let served = try Served(root)
    let runId = try #require(try root.records("live").first?.runId)
    return (root, running, served, runId)
  }

  deinit {
    if process.process.isRunning {
      process.signal(SIGKILL)
      _ = process.wait()
    }
  }

  struct Response {
    var status: Int
    var headers: String
    var body: String
    /// The body's bytes as sent (compressed ones too).
    var data: Data

    /// The value of a header (the first of that name), without its name.
    func header(_ name: String) -> String? {
      for line in headers.split(separator: "\r\n") {
        let parts = line.split(separator: ":", maxSplits: 1)
        if parts.count == 2, parts[0].lowercased() == name.lowercased() {
          return parts[1].trimmingCharacters(in: .whitespaces)
        }
      }
      return nil
    }
  }

  /// `path` is sent as it is (`--path-as-is`: dot segments reach the server).
  func get(_ path: String, method: String = "GET", headers: [String] = []) throws -> Response {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
      "serve-\(UUID().uuidString)")
    defer {
      try? FileManager.default.removeItem(atPath: scratch.path + ".body")
      try? FileManager.default.removeItem(atPath: scratch.path + ".headers")
    }
    var arguments = [
      "curl", "-s", "--path-as-is", "--max-time", "30", "-X", method, "-o", scratch.path + ".body",
      "-D", scratch.path + ".headers", "-w", "%{http_code}",
    ]
    for header in headers { arguments += ["-H", header] }
    let result = try system(arguments + [base + path])
    let data = FileManager.default.contents(atPath: scratch.path + ".body") ?? Data()
    return Response(
      status: Int(result.output) ?? -1,
      headers: (try? String(contentsOfFile: scratch.path + ".headers", encoding: .utf8)) ?? "",
      body: String(decoding: data, as: UTF8.self), data: data)
  }

  /// `curl --head`: the headers a GET would bring, and no body.
  func head(_ path: String) throws -> String {
    try system(["curl", "-s", "--max-time", "30", "--head", base + path]).output
  }

  /// The port it listens on, for clients other than curl.
  var port: UInt16 { UInt16(base.split(separator: ":").last ?? "") ?? 0 }

  /// SIGTERM, then the exit: a graceful stop ends by the signal.
  func stop() -> Invocation {
    process.signal(SIGTERM)
    return process.wait(timeout: 30)
  }
}
