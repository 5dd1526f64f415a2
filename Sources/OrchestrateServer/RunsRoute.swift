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
    do {
      return json(try RunListCollector.collect(layout: layout, filter: try RunFilter(words)))
    } catch let problem as RunFilter.Problem {
      return text(.badRequest, "\(problem)\n")
    } catch {
      return text(.notFound, "\(error)\n")
    }
  }
}
