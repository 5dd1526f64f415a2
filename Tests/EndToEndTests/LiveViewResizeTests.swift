import Foundation
import OrchestrateKit
import Testing

/// The live view in a real terminal (tmux): the run's line, then one line
/// per running task, never wider than the window, redrawn whole when the window shrinks or
/// grows, and gone once the run ends.
@Suite(.serialized) struct LiveViewResizeTests {
  @Test func liveLinesFollowTheWindowWidth() throws {
    let root = TestRoot()
    let tmux = try Tmux()
    let file = root.write(
      "pipelines/live.yaml",
      """
      max_parallel: 3
      tasks:
        - name: a-task-with-a-rather-long-name-that-needs-room
          run: 'echo "{\\"percent\\": 40, \\"message\\": \\"a message long enough to be cut at any width\\"}" >> "$ORCHESTRATE_PROGRESS"; while [ ! -e release ]; do sleep 0.05; done # \(root.marker)'
        - {name: b, run: 'while [ ! -e release ]; do sleep 0.05; done # \(root.marker)'}
        - {name: c, run: 'while [ ! -e release ]; do sleep 0.05; done # \(root.marker)'}
      """)
    try tmux.run(
      [
        "new-session", "-d", "-s", "live", "-x", "100", "-y", "30",
        "cd \(root.path) && env -u NO_COLOR TERM=xterm-256color \(Orchestrate.binary) \(file); sleep 600",
      ])
    defer { _ = try? tmux.run(["kill-server"]) }

    for width in [100, 50, 80] {
      try tmux.run(["resize-window", "-t", "live", "-x", String(width), "-y", "30"])
      try waitUntil {
        let live = try tmux.screen().filter { $0.hasPrefix("  ") }
        // The run's line and one per running task, each within the window.
        return live.count == 4 && live.allSatisfy { $0.count < width }
          && live.first?.hasPrefix("  run  0/3 tasks") == true
          && live.contains { $0.hasPrefix("  b ") } && live.contains { $0.hasPrefix("  c ") }
      }
    }
    root.write("release", "")
    try waitUntil { try tmux.screen().contains { $0.hasPrefix("metrics: ") } }
    let screen = try tmux.screen()
    #expect(
      !screen.contains { $0.hasPrefix("  b ") || $0.hasPrefix("  c ") || $0.hasPrefix("  run ") },
      "\(screen)")
    #expect(try root.onlyRecord("live").status == .completed)
  }
}

/// tmux, driven as a person would use a terminal: a server of its own
/// (its own socket, no configuration), so nothing another tmux user set
/// (NO_COLOR in the server's environment, say) reaches the test. The server
/// runs in the foreground (`-D`) as this test's child: a server forked by a
/// client would keep the descriptors of the process that started it.
final class Tmux {
  let socket = "orchestrate-test-\(UUID().uuidString.prefix(8))"
  private let server = Process()

  init() throws {
    server.executableURL = URL(fileURLWithPath: "/usr/bin/tmux")
    server.arguments = ["-L", socket, "-f", "/dev/null", "-D"]
    server.standardInput = FileHandle.nullDevice
    server.standardOutput = FileHandle.nullDevice
    server.standardError = FileHandle.nullDevice
    try server.run()
    // Ready once its socket exists (tmux's default directory, TMUX_TMPDIR unset).
    let path = "/tmp/tmux-\(getuid())/\(socket)"
    try waitUntil { FileManager.default.fileExists(atPath: path) }
  }

  deinit {
    // A foreground server does not end on SIGTERM while it has sessions.
    if server.isRunning { kill(server.processIdentifier, SIGKILL) }
    server.waitUntilExit()
  }

  @discardableResult
  func run(_ arguments: [String]) throws -> String {
    // Into a file, not a pipe: a client hands its descriptors to the
    // server, which would keep a pipe from ever reaching its end.
    let output = FileManager.default.temporaryDirectory.appendingPathComponent(
      "tmux-\(UUID().uuidString)")
    FileManager.default.createFile(atPath: output.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: output) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/tmux")
    process.arguments = ["-L", socket, "-f", "/dev/null"] + arguments
    process.standardOutput = try FileHandle(forWritingTo: output)
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "tmux \(arguments.joined(separator: " ")) failed")
    return (try? String(contentsOf: output, encoding: .utf8)) ?? ""
  }

  /// The visible lines, trailing blanks trimmed, empty lines left out.
  func screen() throws -> [String] {
    try run(["capture-pane", "-p", "-t", "live"]).split(separator: "\n").map {
      String($0.reversed().drop { $0 == " " }.reversed())
    }.filter { !$0.isEmpty }
  }
}
