import FlyingFox
import Foundation
import OrchestrateKit

/// Every request `serve` answers, read-only: the report's pages rendered on
/// request from the metrics directory, and the JSON API. Anything that is
/// not a GET or HEAD is refused before its body is read; any name taken
/// from a request must be a pipeline under metrics/, a run id, or a task of
/// that run's record, so no request reaches a file outside metrics/ and logs/.
struct ReportRoutes: HTTPHandler {
  let layout: RootLayout
  let windowDays: Int
  let token: AccessToken?

  static let tokenCookie = "orchestrate_token"

  func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
    var response = respond(to: request)
    SecurityHeaders.apply(to: &response.headers)
    if request.method == .HEAD {
      // The length the GET would send; without it FlyingFox counts the empty body.
      if case .httpBody(let body) = response.payload, let count = body.count {
        response.headers[.contentLength] = String(count)
      }
      response.payload = .httpBody(HTTPBodySequence(data: Data()))
    }
    return response
  }

  func respond(to request: HTTPRequest) -> HTTPResponse {
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
    var response = route(request)
    for (name, value) in extra { response.headers[HTTPHeader(name)] = value }
    return response
  }

  func route(_ request: HTTPRequest) -> HTTPResponse {
    let parts = request.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
      .map(String.init)
    // `?environment=prod`: only that environment's runs are judged.
    let environment = request.query["environment"].flatMap { $0.isEmpty ? nil : $0 }
    let source = ReportSource(layout: layout, windowDays: windowDays, environment: environment)
    let links = ReportLinks(logs: .api)
    // `*` in a pattern takes any one path component.
    func match(_ pattern: String...) -> [String]? {
      guard parts.count == pattern.count else { return nil }
      var taken: [String] = []
      for (part, expected) in zip(parts, pattern) {
        if expected == "*" { taken.append(part) } else if part != expected { return nil }
      }
      return taken
    }
    if match("") != nil || match("index.html") != nil {
      return html(OverviewPage.render(source.overview(), links: links))
    }
    if let taken = match("pipelines", "*"), taken[0].hasSuffix(".html") {
      let page = ReportLinks.pipeline(ofPage: String(taken[0].dropLast(5)))
      guard let history = source.pipeline(page.name, environment: page.environment) else {
        return notFound()
      }
      return html(PipelinePage.render(history, links: links, now: source.now))
    }
    if let taken = match("runs", "*"), taken[0].hasSuffix(".html") {
      guard let view = source.run(String(taken[0].dropLast(5))) else { return notFound() }
      if request.query["live"] != nil {
        return html(RunPage.liveSection(view, links: links, now: source.now))
      }
      return html(RunPage.render(view, links: links, now: source.now, live: true))
    }
    if match("api", "status") != nil {
      return json(
        StatusCollector.collect(layout: layout, windowDays: windowDays, environment: environment))
    }
    if match("runs.html") != nil { return runsPage(request) }
    if match("api", "runs") != nil { return runs(request) }
    if match("api", "openapi.json") != nil {
      return HTTPResponse(
        statusCode: .ok, headers: [.contentType: "application/json"],
        body: Data(OpenAPIDocument.text.utf8))
    }
    if let taken = match("api", "pipelines", "*", "runs") {
      let limit = min(max(Int(request.query["limit"] ?? "") ?? 50, 1), 1000)
      guard let runs = source.runs(pipeline: taken[0], limit: limit) else { return notFound() }
      return json(runs.map(RunListEntry.init))
    }
    if let taken = match("api", "runs", "*") {
      guard let view = source.run(taken[0]) else { return notFound() }
      guard let record = view.record else {
        return text(
          .unprocessableContent,
          "metrics/\(view.pipeline)/\(taken[0]).json is not a readable run record\n")
      }
      return json(record)
    }
    if let taken = match("api", "runs", "*", "logs", "*") {
      let attempt = request.query["attempt"].map { Int($0) ?? -1 }
      guard attempt.map({ $0 >= 1 }) ?? true, RunID(taken[0]) != nil else { return notFound() }
      switch LogBody.make(layout: layout, run: taken[0], task: taken[1], attempt: attempt) {
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

  func html(_ text: String) -> HTTPResponse {
    HTTPResponse(
      statusCode: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: Data(text.utf8))
  }

  func json(_ value: some Encodable) -> HTTPResponse {
    guard let data = try? RecordCoding.encoder().encode(value) else {
      return text(.internalServerError, "cannot encode the answer\n")
    }
    return HTTPResponse(
      statusCode: .ok, headers: [.contentType: "application/json"], body: data + Data("\n".utf8))
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
