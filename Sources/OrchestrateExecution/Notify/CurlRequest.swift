import FoundationEssentials
import Glibc

/// One HTTP request made by the `curl` program, and what came of it.
struct CurlRequest {
  var url: String
  var method: String
  var headers: [String: String]
  var body: Data?
  var timeout: Double

  struct Attempt: Sendable {
    var status: Int?
    var retryAfter: Double?
    var error: String?
    var retriable = false
    var timedOut = false
    var answer: String?
  }

  func perform() -> Attempt {
    guard let curl = Self.program else {
      return Attempt(error: "curl is not installed (apt-get install curl)")
    }
    var template = Array("/tmp/orchestrate-http-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else {
      return Attempt(
        error: "cannot make a temporary directory: \(String(cString: strerror(errno)))")
    }
    let directory = String(cString: made)
    let files = ["config", "body", "answer", "headers"].map { "\(directory)/\($0)" }
    defer {
      for file in files { unlink(file) }
      rmdir(directory)
    }
    let (config, bodyFile, answer, headerFile) = (files[0], files[1], files[2], files[3])
    var lines = [
      "url = \(Self.quoted(url))", "request = \(Self.quoted(method))",
      "proto = \"=http,https\"", "silent", "show-error",
      "max-time = \(String(printf: "%.3f", timeout))",
      "connect-timeout = \(String(printf: "%.3f", min(timeout, 10)))",
      "output = \(Self.quoted(answer))", "dump-header = \(Self.quoted(headerFile))",
      "write-out = \"\\\\n%{http_code}\\\\n\"",
    ]
    for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
      lines.append("header = \(Self.quoted("\(name): \(value)"))")
    }
    if let body {
      guard FileManager.default.createFile(atPath: bodyFile, contents: body) else {
        return Attempt(error: "cannot write the request body")
      }
      lines.append("data-binary = \(Self.quoted("@" + bodyFile))")
    }
    guard
      FileManager.default.createFile(
        atPath: config, contents: Data((lines.joined(separator: "\n") + "\n").utf8),
        attributes: [.posixPermissions: 0o600])
    else { return Attempt(error: "cannot write curl's configuration") }
    let result: CapturedCommand.Result
    do {
      result = try CapturedCommand.run(
        curl, ["--config", config], environment: .inherited, directory: directory)
    } catch {
      return Attempt(error: error.description)
    }
    let said = result.output
    let lastLines = said.split(separator: "\n").map(String.init)
    guard case .exited(let code) = result.status else {
      return Attempt(error: "curl was killed", retriable: true)
    }
    if code == 0, let httpCode = lastLines.last.flatMap({ Int($0) }), httpCode > 0 {
      let head = (try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? ""
      let body = FileManager.default.contents(atPath: answer) ?? Data()
      return Attempt(
        status: httpCode, retryAfter: HTTPDelivery.retryAfter(Self.header("Retry-After", in: head)),
        answer: String(decoding: body.prefix(300), as: UTF8.self))
    }
    let message =
      lastLines.last { $0.hasPrefix("curl: (") }.map {
        String($0.drop { $0 != ")" }.dropFirst().drop { $0 == " " })
      } ?? "curl exit \(code)"
    switch code {
    case 28:
      return Attempt(
        error: "no answer within \(HTTPDelivery.format(timeout))", retriable: true, timedOut: true)
    case 6: return Attempt(error: "host not found", retriable: true)
    case 7: return Attempt(error: "connection refused", retriable: true)
    case 52: return Attempt(error: "empty answer", retriable: true)
    case 55, 56: return Attempt(error: "connection lost", retriable: true)
    case 35, 51, 53, 54, 58, 59, 60, 77, 80, 82, 83, 90, 91:
      return Attempt(error: "TLS: \(message)")
    default:
      return Attempt(error: message)
    }
  }

  /// curl's config syntax: a double-quoted string with `\\` and `\"` escaped.
  static func quoted(_ text: String) -> String {
    "\""
      + text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
      .replacing("\n", with: "\\n") + "\""
  }

  /// The last value of a header in a `--dump-header` file (redirects and
  /// `100 Continue` come first).
  static func header(_ name: String, in head: String) -> String? {
    let prefix = name.lowercased() + ":"
    return head.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).last {
      $0.lowercased().hasPrefix(prefix)
    }.map { String($0.dropFirst(prefix.count)).trimmed }
  }

  static let program: String? = ["/usr/bin/curl", "/usr/local/bin/curl", "/bin/curl"].first {
    access($0, X_OK) == 0
  }
}
