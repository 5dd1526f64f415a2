import FlyingFox
import Foundation
import OrchestrateKit

/// A kept answer sent to one request: gzip when the client accepts it,
/// 304 Not Modified when the client's copy is current (RFC 9110 §13:
/// `If-None-Match` first, `If-Modified-Since` only without it).
enum ConditionalResponse {
  static func make(_ answer: CachedAnswer, for request: HTTPRequest) -> HTTPResponse {
    let now = AnswerCache.wallClockNanoseconds() / 1_000_000_000
    let compressed = answer.gzipped.flatMap {
      Gzip.isAccepted(by: request.headers[HTTPHeader("Accept-Encoding")]) ? $0 : nil
    }
    let body = compressed ?? answer.rendered.body
    var headers: HTTPHeaders = [.contentType: answer.rendered.contentType]
    headers[HTTPHeader("ETag")] = compressed == nil ? answer.entityTag : answer.gzipEntityTag
    headers[HTTPHeader("Vary")] = "Accept-Encoding"
    // Kept by the browser, asked for again every time: the 304 saves the body.
    headers[HTTPHeader("Cache-Control")] = "private, no-cache"
    // Not before the date has come (see AnswerCache).
    if answer.lastModified <= now {
      headers[HTTPHeader("Last-Modified")] = httpDate(answer.lastModified)
    }
    if compressed != nil { headers[HTTPHeader("Content-Encoding")] = "gzip" }
    if answer.rendered.status == .ok && isCurrent(answer, request, now: now) {
      // The length a 200 would have: what HEAD tells too.
      headers[.contentLength] = String(body.count)
      return HTTPResponse(statusCode: .notModified, headers: headers, body: Data())
    }
    return HTTPResponse(statusCode: answer.rendered.status, headers: headers, body: body)
  }

  /// Whether the client's copy is the kept answer.
  static func isCurrent(_ answer: CachedAnswer, _ request: HTTPRequest, now: Int64) -> Bool {
    if let tags = request.headers[HTTPHeader("If-None-Match")] {
      // Weak comparison, as for GET: `W/"x"` matches `"x"`.
      return tags.split(separator: ",").contains { item in
        var tag = item.trimmingCharacters(in: .whitespaces)
        if tag == "*" { return true }
        if tag.hasPrefix("W/") { tag.removeFirst(2) }
        return tag == answer.entityTag || tag == answer.gzipEntityTag
      }
    }
    if let since = request.headers[HTTPHeader("If-Modified-Since")],
      let date = InternetDate.parse(since)
    {
      return answer.lastModified <= now
        && answer.lastModified <= Int64(date.timeIntervalSince1970)
    }
    return false
  }

  /// RFC 9110's IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`.
  static func httpDate(_ seconds: Int64) -> String {
    String(InternetDate.format(Date(timeIntervalSince1970: Double(seconds))).dropLast(5)) + "GMT"
  }
}
