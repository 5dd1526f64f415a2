import Testing

@testable import OrchestrateServer

/// How the gate in front of `serve` finds each request in a client's bytes.
@Suite struct RequestFramingTests {
  func framing() -> RequestFraming { RequestFraming(headLimit: 64, bodyLimit: 10) }

  @Test func aHeadIsPassedOnOnlyOnceComplete() {
    var framing = framing()
    let first = framing.feed(Array("GET / HTTP/1.1\r\nHost: a".utf8))
    #expect(first.forward.isEmpty && first.refusal == nil)
    let second = framing.feed(Array("\r\n\r\n".utf8))
    #expect(String(decoding: second.forward, as: UTF8.self) == "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    #expect(second.refusal == nil)
  }

  @Test func bodiesAndPipelinedRequestsFollowTheirHeads() {
    var framing = framing()
    let text = "GET /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\n\r\n"
    let step = framing.feed(Array(text.utf8))
    #expect(String(decoding: step.forward, as: UTF8.self) == text)
    #expect(step.refusal == nil)
  }

  @Test func aBodyIsNotTakenForTheNextHead() {
    var framing = framing()
    // Body bytes that look like a head's end must not end a head.
    let step = framing.feed(
      Array("GET / HTTP/1.1\r\ncontent-length: 4\r\n\r\n\r\n\r\n".utf8))
    #expect(step.refusal == nil)
    let next = framing.feed(Array("GET / HTTP/1.1\r\n\r\n".utf8))
    #expect(String(decoding: next.forward, as: UTF8.self) == "GET / HTTP/1.1\r\n\r\n")
  }

  @Test func whatIsRefused() {
    var large = framing()
    let before = large.feed(Array("GET / HTTP/1.1\r\n\r\n".utf8))
    let refused = large.feed(
      Array(("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 64)).utf8))
    #expect(before.refusal == nil && refused.refusal == .headTooLarge)
    #expect(refused.forward.isEmpty, "nothing of the oversized head is passed on")
    for (header, refusal) in [
      ("Transfer-Encoding: chunked", RequestFraming.Refusal.lengthRequired),
      ("Content-Length: 11", .bodyTooLarge),
      ("Content-Length: -1", .badLength),
      ("Content-Length: ten", .badLength),
    ] {
      var framing = framing()
      let step = framing.feed(Array("GET / HTTP/1.1\r\n\(header)\r\n\r\n".utf8))
      #expect(step.refusal == refusal, "\(header)")
      #expect(step.forward.isEmpty, "\(header)")
    }
  }

  /// `serve` is read-only and speaks HTTP/1.x: anything else is answered
  /// by the gate, before the HTTP server reads it.
  @Test(arguments: [
    ("GET / HTTP/1.1", nil),
    ("HEAD /api/status HTTP/1.0", nil),
    ("POST /api/status HTTP/1.1", RequestFraming.Refusal.methodNotAllowed),
    ("PROPFIND / HTTP/1.1", .methodNotAllowed),
    ("get / HTTP/1.1", .methodNotAllowed),
    ("BREW / HTTP/1.1", .methodNotAllowed),
    ("GET / HTTP/9.9", .versionNotSupported),
    ("GET / HTTP/2.0", .versionNotSupported),
    ("GET / HTTP/1.1 extra", .badRequestLine),
    ("GET /", .badRequestLine),
    ("GET  / HTTP/1.1", .badRequestLine),
    ("GET x HTTP/1.1", .badRequestLine),
    ("GET / HTTPS/1.1", .badRequestLine),
    ("G(T / HTTP/1.1", .badRequestLine),
  ])
  func requestLines(line: String, refusal: RequestFraming.Refusal?) {
    var framing = framing()
    let step = framing.feed(Array("\(line)\r\nHost: a\r\n\r\n".utf8))
    #expect(step.refusal == refusal, "\(line)")
    #expect(step.forward.isEmpty == (refusal != nil), "\(line)")
  }

  @Test func theHeadsClockStartsAtItsFirstByteAndStopsWhenItIsWhole() {
    var framing = framing()
    #expect(framing.headStarted == nil)
    _ = framing.feed(Array("\r\n".utf8))
    #expect(framing.headStarted == nil, "blank lines before a request are not a head")
    _ = framing.feed(Array("GET / HT".utf8))
    #expect(framing.headStarted != nil)
    _ = framing.feed(Array("TP/1.1\r\n\r\n".utf8))
    #expect(framing.headStarted == nil)
  }
}
