import Foundation
import TestSupport
import Testing

/// Checks on written or served pages: strict HTML5 parsing (html5lib with
/// Debian's python3, installed by scripts/bootstrap.sh), no reference to
/// another host, and every relative link leading to a file.
enum ReportPages {
  /// html5lib's strict parser over each file; returns its complaints.
  static func strictParseErrors(_ files: [String]) throws -> String {
    let script = """
      import sys, html5lib
      for name in sys.argv[1:]:
          try:
              html5lib.HTMLParser(strict=True).parse(open(name, 'rb').read())
          except Exception as error:
              print(name + ': ' + str(error))
      """
    let result = try system(["/usr/bin/python3", "-c", script] + files)
    return result.status == 0 ? result.output : "python3 exited \(result.status)\n" + result.output
  }

  /// `http://` or `https://` anywhere, or a `src=` that would load something.
  static func externalReferences(_ html: String) -> [String] {
    var found: [String] = []
    for marker in ["http://", "https://", " src=", "@import", "url(http"]
    where html.contains(marker) {
      found.append(marker)
    }
    return found
  }

  /// The `href` values of a page.
  static func links(_ html: String) -> [String] {
    html.components(separatedBy: "href=\"").dropFirst().compactMap {
      $0.split(separator: "\"", maxSplits: 1).first.map(String.init)
    }
  }

  /// Relative links of a page in `directory` whose target file is missing.
  static func brokenLinks(_ html: String, in directory: String) -> [String] {
    links(html).filter { link in
      let path = String(link.split(separator: "?").first ?? "").removingPercentEncoding ?? link
      let target = URL(fileURLWithPath: directory).appendingPathComponent(path).standardizedFileURL
      return !FileManager.default.fileExists(atPath: target.path)
    }
  }
}
