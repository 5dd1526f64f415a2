import FlyingFox
import Foundation
import OrchestrateKit

extension ReportAnswer {
  /// The query parameters the list of runs reads, in the key of its answer.
  static let runsFilterNames = [
    "pipeline", "status", "environment", "since", "until", "trigger", "limit",
  ]

  /// `/api/runs`: what `orchestrate runs --json` prints, its filters as
  /// query parameters (`pipeline` and `status` repeatable or
  /// comma-separated, `environment`, `since`, `until`, `trigger`, `limit`);
  /// `/runs.html` (`page`): the same list as a page, the same query its
  /// filters. A refused value is 400 with the sentence the command line
  /// prints; a pipeline the root does not know is 404, like a pipeline's page.
  static func runs(_ request: HTTPRequest, page: Bool, layout: RootLayout) -> ReportAnswer {
    let words = runFilterWords(request)
    let query = request.query.filter { runsFilterNames.contains($0.name) }
      .map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    return ReportAnswer(key: (page ? "/runs.html?" : "/api/runs?") + query, scope: .root) {
      var list: RunList?
      var problem: (status: HTTPStatusCode, text: String)?
      do {
        list = try RunListCollector.collect(layout: layout, filter: try RunFilter(words))
      } catch let refused as RunFilter.Problem {
        problem = (.badRequest, refused.description)
      } catch {
        problem = (.notFound, "\(error)")
      }
      let live = list?.runs.contains { $0.status == .running } ?? false
      guard page else {
        guard let list else {
          return RenderedAnswer(
            status: problem!.status, contentType: "text/plain; charset=utf-8",
            body: Data((problem!.text + "\n").utf8))
        }
        return json(list, live: live)
      }
      var answer = html(
        RunsPage.render(
          list, words: words, problem: problem?.text, pipelines: layout.pipelinesWithRecords(),
          links: ReportLinks(logs: .api)), live: live)
      answer.status = problem?.status ?? .ok
      return answer
    }
  }

  private static func runFilterWords(_ request: HTTPRequest) -> RunFilter.Words {
    func all(_ name: String) -> [String] {
      request.query.filter { $0.name == name }.flatMap { $0.value.split(separator: ",") }
        .map(String.init)
    }
    var words = RunFilter.Words()
    words.pipelines = all("pipeline")
    words.statuses = all("status")
    words.environment = request.query["environment"]
    words.since = request.query["since"]
    words.until = request.query["until"]
    words.trigger = request.query["trigger"]
    words.limit = request.query["limit"]
    return words
  }
}
