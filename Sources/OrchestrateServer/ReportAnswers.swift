import FlyingFox
import Foundation
import OrchestrateKit

/// The answers `serve` keeps (`AnswerCache`): the pages, the status, the
/// lists of runs (`RunsRoute.swift`) and the records. Each is a key (the path and the query
/// parameters it reads, nothing else: a token in the query is not part of
/// it), the files it depends on, and how it is computed from them.
struct ReportAnswer: Sendable {
  var key: String
  var scope: DataStamp.Scope
  var compute: @Sendable () -> RenderedAnswer

  /// The answer `request` asks for, when it is one that is kept; `parts`
  /// are the path's components.
  static func matching(
    _ request: HTTPRequest, parts: [String], layout: RootLayout, windowDays: Int
  ) -> ReportAnswer? {
    // `?environment=prod`: only that environment's runs are judged.
    let environment = request.query["environment"].flatMap { $0.isEmpty ? nil : $0 }
    // Made when the answer is computed: its `now` is that moment.
    let source: @Sendable () -> ReportSource = {
      ReportSource(layout: layout, windowDays: windowDays, environment: environment)
    }
    let links = ReportLinks(logs: .api)
    let judged = environment.map { "?environment=\($0)" } ?? ""
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
      return ReportAnswer(key: "/" + judged, scope: .root) {
        let overview = source().overview()
        return html(
          OverviewPage.render(overview, links: links),
          live: overview.report.pipelines.contains { !$0.running.isEmpty })
      }
    }
    if let taken = match("pipelines", "*"), taken[0].hasSuffix(".html") {
      let page = ReportLinks.pipeline(ofPage: String(taken[0].dropLast(5)))
      return ReportAnswer(key: "/pipelines/\(taken[0])" + judged, scope: .pipeline(page.name)) {
        let source = source()
        guard let history = source.pipeline(page.name, environment: page.environment) else {
          return notFound
        }
        return html(
          PipelinePage.render(history, links: links, now: source.now),
          live: !history.status.running.isEmpty)
      }
    }
    if let taken = match("runs", "*"), taken[0].hasSuffix(".html") {
      let live = request.query["live"] != nil
      return ReportAnswer(key: "/runs/\(taken[0])" + (live ? "?live" : ""), scope: .root) {
        let source = source()
        guard let view = source.run(String(taken[0].dropLast(5))) else { return notFound }
        let running = view.record?.status == .running
        if live {
          return html(RunPage.liveSection(view, links: links, now: source.now), live: running)
        }
        return html(
          RunPage.render(view, links: links, now: source.now, live: true), live: running)
      }
    }
    if match("api", "status") != nil {
      return ReportAnswer(key: "/api/status" + judged, scope: .root) {
        let report = StatusCollector.collect(
          layout: layout, windowDays: windowDays, environment: environment)
        return json(report, live: report.pipelines.contains { !$0.running.isEmpty })
      }
    }
    if match("runs.html") != nil { return runs(request, page: true, layout: layout) }
    if match("api", "runs") != nil { return runs(request, page: false, layout: layout) }
    if match("api", "openapi.json") != nil {
      return ReportAnswer(key: "/api/openapi.json", scope: .constant) {
        RenderedAnswer(
          status: .ok, contentType: "application/json", body: Data(OpenAPIDocument.text.utf8))
      }
    }
    if let taken = match("api", "pipelines", "*", "runs") {
      let limit = min(max(Int(request.query["limit"] ?? "") ?? 50, 1), 1000)
      return ReportAnswer(
        key: "/api/pipelines/\(taken[0])/runs?limit=\(limit)", scope: .pipeline(taken[0])
      ) {
        guard let runs = source().runs(pipeline: taken[0], limit: limit) else { return notFound }
        return json(
          runs.map(RunListEntry.init), live: runs.contains { $0.status == .running })
      }
    }
    if let taken = match("api", "runs", "*") {
      return ReportAnswer(key: "/api/runs/\(taken[0])", scope: .root) {
        guard let view = source().run(taken[0]) else { return notFound }
        guard let record = view.record else {
          return RenderedAnswer(
            status: .unprocessableContent, contentType: "text/plain; charset=utf-8",
            body: Data(
              "metrics/\(view.pipeline)/\(taken[0]).json is not a readable run record\n".utf8))
        }
        return json(record, live: record.status == .running)
      }
    }
    return nil
  }

  static func html(_ text: String, live: Bool) -> RenderedAnswer {
    RenderedAnswer(
      status: .ok, contentType: "text/html; charset=utf-8", body: Data(text.utf8), live: live)
  }

  static func json(_ value: some Encodable, live: Bool) -> RenderedAnswer {
    guard let data = try? RecordCoding.encoder().encode(value) else {
      return RenderedAnswer(
        status: .internalServerError, contentType: "text/plain; charset=utf-8",
        body: Data("cannot encode the answer\n".utf8))
    }
    return RenderedAnswer(
      status: .ok, contentType: "application/json", body: data + Data("\n".utf8), live: live)
  }

  static let notFound = RenderedAnswer(
    status: .notFound, contentType: "text/plain; charset=utf-8", body: Data("not found\n".utf8))
}
