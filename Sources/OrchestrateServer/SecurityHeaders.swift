import FlyingFox
import OrchestrateKit

/// Headers on every response: pages may load nothing from anywhere, run
/// only the live view's own script (by its hash), and be framed by nobody.
enum SecurityHeaders {
  static let contentSecurityPolicy =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    + "script-src '\(RunPage.liveScriptHash)'; connect-src 'self'; base-uri 'none'; "
    + "form-action 'none'; frame-ancestors 'none'"

  static func apply(to headers: inout HTTPHeaders) {
    headers[HTTPHeader("Content-Security-Policy")] = contentSecurityPolicy
    headers[HTTPHeader("X-Content-Type-Options")] = "nosniff"
    headers[HTTPHeader("Referrer-Policy")] = "no-referrer"
    // A kept answer says `no-cache` (ask again, send the tag): the rest is not stored.
    if headers[HTTPHeader("Cache-Control")] == nil {
      headers[HTTPHeader("Cache-Control")] = "no-store"
    }
  }
}
