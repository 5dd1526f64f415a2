import FlyingFox
import Foundation
import OrchestrateKit

/// An answer as a route computes it, before it is kept.
struct RenderedAnswer: Sendable {
  var status: HTTPStatusCode
  var contentType: String
  var body: Data
  /// It shows a run in progress: its elapsed times and progress move on
  /// without any file changing, so it is computed again sooner.
  var live = false
}

/// A kept answer: its body, once compressed, and the validators a client
/// sends back to be told that its copy is still current.
struct CachedAnswer: Sendable {
  var rendered: RenderedAnswer
  /// The body compressed, when that is worth it.
  var gzipped: Data?
  /// Strong: a digest of the body, so an answer computed again with the
  /// same bytes keeps its tag.
  var entityTag: String
  /// Whole seconds since the epoch; see `AnswerCache` for how it is chosen.
  var lastModified: Int64
  /// When it was computed (the monotonic clock): its age.
  var computed: ContinuousClock.Instant

  init(_ rendered: RenderedAnswer, lastModified: Int64, computed: ContinuousClock.Instant) {
    self.rendered = rendered
    entityTag = "\"" + Self.digest(rendered.body) + "\""
    self.lastModified = lastModified
    self.computed = computed
    if rendered.body.count >= Gzip.smallestBody, let packed = Gzip.compress(rendered.body),
      packed.count < rendered.body.count
    {
      gzipped = packed
    }
  }

  /// The tag of the gzip variant: another representation, another tag.
  var gzipEntityTag: String { String(entityTag.dropLast()) + "-gz\"" }

  /// Bytes held, for the cache's limit.
  var size: Int { rendered.body.count + (gzipped?.count ?? 0) + 256 }

  /// 64 bits of SHA-256, in hex: enough to tell versions of one page apart.
  static func digest(_ body: Data) -> String {
    SHA256.digest(of: body).prefix(8).map { String(printf: "%02x", $0) }.joined()
  }
}
