import FlyingFox
import Foundation
import OrchestrateKit

/// Every request `serve` answers, read-only: the report's pages computed
/// from the metrics directory and kept while it stays as it was
/// (`ReportAnswer`, `AnswerCache`), and the JSON API. Anything that is
/// not a GET or HEAD is refused before its body is read; any name taken
/// from a request must be a pipeline under metrics/, a run id, or a task of
/// that run's record, so no request reaches a file outside metrics/ and logs/.
struct ReportRoutes: HTTPHandler {
  let layout: RootLayout
  let windowDays: Int
  let token: AccessToken?
  let cache: AnswerCache

  static let tokenCookie = "orchestrate_token"

  func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
    var response = await respond(to: request)
    SecurityHeaders.apply(to: &response.headers)
    if request.method == .HEAD {
      // The length the GET would send; without it FlyingFox counts the empty body.
      if case .httpBody(let body) = response.payload, let count = body.count,
        response.headers[.contentLength] == nil
      {
        response.headers[.contentLength] = String(count)
      }
      response.payload = .httpBody(HTTPBodySequence(data: Data()))
    }
    return response
  }

  func respond(to request: HTTPRequest) async -> HTTPResponse {
    guard request.method == .GET || request.method == .HEAD else {
      return text(
        .methodNotAllowed, "read-only: only GET and HEAD are served\n", ["Allow": "GET, HEAD"])
    }
    var extra: [String: String] = [:]
    if let token {
      switch authenticate(request, token: token) {
      case .refused:
        return text(
          .unauthorized, "a token is needed: Authorization: Bearer TOKEN, or ?token=TOKEN\n",
          ["WWW-Authenticate": "Bearer"])
      case .byQuery(let value):
        // The browser keeps it for the page's relative links and live updates.
        extra["Set-Cookie"] = "\(Self.tokenCookie)=\(value); Path=/; HttpOnly; SameSite=Strict"
      case .accepted: break
      }
    }
    let parts = request.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
      .map(String.init)
    var response: HTTPResponse
    if let kept = ReportAnswer.matching(
      request, parts: parts, layout: layout, windowDays: windowDays)
    {
      let answer = await cache.answer(
        key: kept.key, stamp: DataStamp.of(layout, scope: kept.scope), compute: kept.compute)
      response = ConditionalResponse.make(answer, for: request)
    } else {
      response = route(request, parts: parts)
    }
    for (name, value) in extra { response.headers[HTTPHeader(name)] = value }
    return response
  }

  /// What is not kept: logs (a running task's grows in place) and the rest.
  func route(_ request: HTTPRequest, parts: [String]) -> HTTPResponse {
    if parts.count == 5, parts[0] == "api", parts[1] == "runs", parts[3] == "logs" {
      let (run, task) = (parts[2], parts[4])
      let attempt = request.query["attempt"].map { Int($0) ?? -1 }
      guard attempt.map({ $0 >= 1 }) ?? true, RunID(run) != nil else { return notFound() }
      switch LogBody.make(layout: layout, run: run, task: task, attempt: attempt) {
      case .body(let body):
        return HTTPResponse(
          statusCode: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: body)
      case .withheld(let reason): return text(.forbidden, reason + "\n")
      case .notFound: return notFound()
      }
    }
    return notFound()
  }

  enum Authentication {
    case accepted, refused
    case byQuery(String)
  }

  func authenticate(_ request: HTTPRequest, token: AccessToken) -> Authentication {
    if let header = request.headers[.authorization], header.hasPrefix("Bearer "),
      token.matches(String(header.dropFirst(7)))
    {
      return .accepted
    }
    if let cookies = request.headers[HTTPHeader("Cookie")] {
      for cookie in cookies.split(separator: ";") {
        let pair = cookie.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
        if pair.count == 2, pair[0] == Self.tokenCookie, token.matches(String(pair[1])) {
          return .accepted
        }
      }
    }
    if let value = request.query["token"], token.matches(value) { return .byQuery(value) }
    return .refused
  }

  func notFound() -> HTTPResponse { text(.notFound, "not found\n") }

  func text(_ status: HTTPStatusCode, _ message: String, _ headers: [String: String] = [:])
    -> HTTPResponse
  {
    var response = HTTPResponse(
      statusCode: status, headers: [.contentType: "text/plain; charset=utf-8"],
      body: Data(message.utf8))
    for (name, value) in headers { response.headers[HTTPHeader(name)] = value }
    return response
  }
}

/// One run in `/api/pipelines/NAME/runs`.
struct RunListEntry: Encodable {
  var runId: String
  var status: RunStatus
  var startedAt: Date
  var durationSeconds: Double?

  init(_ digest: RunDigest) {
    runId = digest.runId
    status = digest.status
    startedAt = Date(timeIntervalSince1970: digest.startedAt)
    durationSeconds = digest.durationSeconds
  }
}
