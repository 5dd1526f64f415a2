import Foundation
import Testing

/// A server the notification tests start on 127.0.0.1: one of the Python
/// scripts in Tests/Servers, ready once it has written its port.
final class LoopbackServer {
  let process = Process()
  let port: Int
  let directory: String

  init(script: String, arguments: [String], directory: String) throws {
    self.directory = directory
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let portFile = "\(directory)/port"
    // Debian's python3, whose aiosmtpd scripts/bootstrap.sh installs.
    process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    process.arguments =
      ["\(Orchestrate.packageRoot)/Tests/Servers/\(script)", "--port-file", portFile] + arguments
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let deadline = Date().addingTimeInterval(30)
    while !FileManager.default.fileExists(atPath: portFile) {
      guard process.isRunning, Date() < deadline else {
        process.terminate()
        throw ServerFailure(
          description:
            "\(script) did not start (are python3 and python3-aiosmtpd installed? "
            + "scripts/bootstrap.sh)")
      }
      usleep(10_000)
    }
    port = Int(try String(contentsOfFile: portFile, encoding: .utf8))!
  }

  deinit {
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }

  struct ServerFailure: Error, CustomStringConvertible {
    var description: String
  }
}

/// An HTTP endpoint that records each request and answers as planned
/// (`"500,200"`, `"hang"`, `"503+retry=1"`).
final class RecordingHTTPServer {
  let server: LoopbackServer
  var log: String { "\(server.directory)/requests.jsonl" }
  var url: String { "http://127.0.0.1:\(server.port)" }

  init(in root: TestRoot, name: String = "http", plan: String = "200") throws {
    let directory = "\(root.path)/servers/\(name)"
    server = try LoopbackServer(
      script: "http_recorder.py",
      arguments: ["--log", "\(directory)/requests.jsonl", "--plan", plan], directory: directory)
  }

  struct Request {
    var method: String
    var path: String
    var headers: [String: String]
    var body: String
    var json: [String: Any]? {
      try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
    }
  }

  /// Every request so far, in arrival order.
  func requests() -> [Request] {
    guard let text = try? String(contentsOfFile: log, encoding: .utf8) else { return [] }
    return text.split(separator: "\n").compactMap { line in
      guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
      else { return nil }
      return Request(
        method: object["method"] as? String ?? "", path: object["path"] as? String ?? "",
        headers: object["headers"] as? [String: String] ?? [:],
        body: object["body"] as? String ?? "")
    }
  }
}

/// An SMTP server (aiosmtpd) and an msmtp configuration that relays to it,
/// in a HOME of the test's own: `sendmail: /usr/bin/msmtp` then delivers there.
final class RecordingSMTPServer {
  let server: LoopbackServer
  let home: String

  init(in root: TestRoot) throws {
    let directory = "\(root.path)/servers/smtp"
    server = try LoopbackServer(
      script: "smtp_recorder.py", arguments: ["--directory", directory], directory: directory)
    home = "\(root.path)/home"
    let rc = root.write(
      "home/.msmtprc",
      """
      account default
      host 127.0.0.1
      port \(server.port)
      from orchestrate@localhost
      auth off
      tls off

      """)
    chmod(rc, 0o600)
  }

  /// The messages received so far, oldest first.
  func messages() -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: server.directory)) ?? []
    return names.filter { $0.hasSuffix(".eml") }
      .sorted { Int($0.dropLast(4)) ?? 0 < Int($1.dropLast(4)) ?? 0 }
      .compactMap { try? String(contentsOfFile: "\(server.directory)/\($0)", encoding: .utf8) }
  }
}
