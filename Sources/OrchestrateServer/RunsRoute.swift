import FlyingFox
import Foundation
import OrchestrateKit

extension ReportRoutes {
  /// `/api/runs`: what `orchestrate runs --json` prints, its filters as
  /// query parameters (`pipeline` and `status` repeatable or
  /// comma-separated, `environment`, `since`, `until`, `trigger`, `limit`).
  /// A refused value is 400 with the sentence the command line prints; a
  /// pipeline the root does not know is 404, like a pipeline's page.
  func runs(_ request: HTTPRequest) -> HTTPResponse {
    do {
      return json(try list(request))
    } catch let problem as RunFilter.Problem {
      return text(.badRequest, "\(problem)\n")
    } catch {
      return text(.notFound, "\(error)\n")
    }
  }

  /// `/runs.html`: the same list as a page, the same query its filters.
  func runsPage(_ request: HTTPRequest) -> HTTPResponse {
    var list: RunList?
    var problem: String?
    var status = HTTPStatusCode.ok
    do {
      list = try self.list(request)
    } catch let refused as RunFilter.Problem {
      (problem, status) = (refused.description, .badRequest)
    } catch {
      (problem, status) = ("\(error)", .notFound)
    }
    var response = html(
      RunsPage.render(
        list, words: words(request), problem: problem, pipelines: layout.pipelinesWithRecords(),
        links: ReportLinks(logs: .api)))
    response.statusCode = status
    return response
  }

  private func list(_ request: HTTPRequest) throws -> RunList {
    try RunListCollector.collect(layout: layout, filter: try RunFilter(words(request)))
  }

  private func words(_ request: HTTPRequest) -> RunFilter.Words {
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
