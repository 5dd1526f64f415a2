import Foundation
import OrchestrateKit
import TestSupport
import Testing

/// What `serve` does with requests beyond its limits, and HEAD requests.
@Suite(.serialized) struct ServeLimitsTests {
  func servedRoot(_ extra: [String] = []) throws -> (TestRoot, Served) {
    let root = TestRoot()
    root.write("pipelines/nightly.yaml", ReportTests.pipeline)
    try Orchestrate.run(["nightly", "--root", root.path])
    return (root, try Served(root, extra))
  }

  @Test func headAnswersTheLengthOfThePage() throws {
    let (root, served) = try servedRoot()
    let run = try root.onlyRecord("nightly").runId
    for path in ["/", "/runs/\(run).html", "/api/runs/\(run)/logs/flaky"] {
      let page = try served.get(path)
      #expect(page.status == 200)
      let head = try served.head(path)
      #expect(head.hasPrefix("HTTP/1.1 200"), "\(path): \(head)")
      #expect(head.contains("Content-Length: \(page.body.utf8.count)\r\n"), "\(path): \(head)")
    }
  }

  @Test func anOversizedRequestIsRefusedAndTheServerGoesOn() throws {
    let (root, served) = try servedRoot()
    defer { withExtendedLifetime(root) {} }
    let huge = String(repeating: "a", count: 20_000)
    let refused = try served.get("/", headers: ["X-Padding: \(huge)"])
    #expect(refused.status == 431)
    #expect(refused.body == "the request's head is larger than 16384 bytes\n")
    let chunked = try served.get(
      "/api/status", method: "POST", headers: ["Transfer-Encoding: chunked"])
    #expect(chunked.status == 411)
    let after = try served.get("/")
    #expect(after.status == 200)
    #expect(after.body.contains("nightly"))
    #expect(served.stop().signal == SIGTERM)
  }

  /// Read-only, HTTP/1.x: other methods get 405 with Allow, a malformed
  /// request line 400, an unknown version 505; the server goes on.
  @Test func requestsServeDoesNotSpeakAreAnsweredAsSuch() throws {
    let (root, served) = try servedRoot()
    defer { withExtendedLifetime(root) {} }
    for (line, status) in [
      ("PROPFIND / HTTP/1.1", "405 Method Not Allowed"), ("BREW / HTTP/1.1", "405"),
      ("get / HTTP/1.1", "405"), ("POST /api/status HTTP/1.1", "405"),
      ("GET / HTTP/9.9", "505 HTTP Version Not Supported"), ("GET / HTTP/1.1 x", "400 Bad Request"),
      ("GET", "400"),
    ] {
      let answer = try RawClient(port: served.port).exchange("\(line)\r\nHost: t\r\n\r\n")
      #expect(answer.hasPrefix("HTTP/1.1 \(status)"), "\(line): \(answer)")
      if status.hasPrefix("405") { #expect(answer.contains("Allow: GET, HEAD\r\n")) }
    }
    #expect(try served.get("/").status == 200)
  }

  /// A client that sends its head a line at a time, never finishing it,
  /// is answered 408 and let go within the head's deadline (10 s), while
  /// the others are served meanwhile.
  @Test func aTrickledHeadIsCutOffAndOthersAreServed() throws {
    let (root, served) = try servedRoot(["--max-connections", "4"])
    defer { withExtendedLifetime(root) {} }
    let trickling = try (0..<3).map { _ in try RawClient(port: served.port) }
    let started = ContinuousClock.now
    var answers: [String] = []
    for line in ["GET / HTTP/1.1\r\n"] + Array(repeating: "X-Slow: 1\r\n", count: 30) {
      for client in trickling {
        _ = line.utf8CString.withUnsafeBufferPointer {
          send(client.fd, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL))
        }
      }
      #expect(try served.get("/api/status").status == 200)
      var ready = pollfd(fd: trickling[0].fd, events: Int16(POLLIN), revents: 0)
      if poll(&ready, 1, 1000) > 0 {
        answers = trickling.map { $0.exchange("") }
        break
      }
    }
    let waited = ContinuousClock.now - started
    #expect(waited < .seconds(20), "cut off after \(waited)")
    for answer in answers { #expect(answer.hasPrefix("HTTP/1.1 408 Request Timeout"), "\(answer)") }
    #expect(answers.count == 3)
  }

  @Test func connectionsBeyondTheLimitAreTurnedAwayUntilOneLeaves() throws {
    let (root, served) = try servedRoot(["--max-connections", "2"])
    defer { withExtendedLifetime(root) {} }
    // Two clients hold their connections open (keep-alive), each answered once.
    let first = try RawClient(port: served.port)
    let second = try RawClient(port: served.port)
    for client in [first, second] {
      #expect(
        client.exchange("GET /api/openapi.json HTTP/1.1\r\nHost: t\r\n\r\n")
          .hasPrefix("HTTP/1.1 200"))
    }
    let third = try served.get("/")
    #expect(third.status == 503)
    #expect(third.body.contains("busy: 2 connections are open"))

    // The first leaves: once it has seen the server close, its place is free.
    first.finish()
    let fourth = try served.get("/")
    #expect(fourth.status == 200)
    second.finish()
  }
}

extension ServeLimitsTests {
  /// One address cannot take every place: its own limit turns it away
  /// while a client from another address is still served.
  @Test func oneAddressCannotTakeEveryConnection() throws {
    let (root, served) = try servedRoot([
      "--max-connections", "8", "--max-connections-per-address", "2",
    ])
    defer { withExtendedLifetime(root) {} }
    let held = try (0..<2).map { _ in try RawClient(port: served.port) }
    for client in held {
      #expect(
        client.exchange("GET /api/openapi.json HTTP/1.1\r\nHost: t\r\n\r\n")
          .hasPrefix("HTTP/1.1 200"))
    }
    let third = try RawClient(port: served.port)
    let refused = third.exchange("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    #expect(refused.hasPrefix("HTTP/1.1 503"), "\(refused)")
    #expect(
      refused.contains(
        "busy: 2 connections from 127.0.0.1 are open, the most serve allows from one address"),
      "\(refused)")
    let other = try RawClient(port: served.port, from: "127.0.0.2")
    #expect(
      other.exchange("GET /api/openapi.json HTTP/1.1\r\nHost: t\r\n\r\n").hasPrefix("HTTP/1.1 200"))
    for client in held { client.finish() }
    other.finish()
  }
}

/// A client on a plain socket that keeps its connection open between requests.
final class RawClient {
  let fd: Int32

  /// `from`: the loopback address to connect from (all of 127/8 is this machine).
  init(port: UInt16, from source: String? = nil) throws {
    fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    if let source {
      var local = sockaddr_in()
      local.sin_family = sa_family_t(AF_INET)
      local.sin_addr.s_addr = inet_addr(source)
      let bound = withUnsafePointer(to: &local) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
      }
      try #require(bound == 0, "cannot bind to \(source)")
    }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    try #require(connected == 0, "cannot connect to port \(port)")
  }

  deinit { close(fd) }

  /// Sends `request` and returns the response's head and whatever came with it.
  func exchange(_ request: String) -> String {
    _ = request.utf8CString.withUnsafeBufferPointer { send(fd, $0.baseAddress, $0.count - 1, 0) }
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while !String(decoding: received, as: UTF8.self).contains("\r\n\r\n") {
      let count = recv(fd, &buffer, buffer.count, 0)
      if count <= 0 { break }
      received += buffer[..<count]
    }
    return String(decoding: received, as: UTF8.self)
  }

  /// Closes its sending side and reads until the server has closed too.
  func finish() {
    shutdown(fd, Int32(SHUT_WR))
    var buffer = [UInt8](repeating: 0, count: 4096)
    while recv(fd, &buffer, buffer.count, 0) > 0 {}
  }
}
