/// The document around every page: doctype, inline style, the chart
/// patterns, a header with the way back; nothing fetched from elsewhere.
enum PageFrame {
  static func render(
    title: String, crumbs: [(text: String, href: String?)], body: String, script: String? = nil
  ) -> String {
    let trail = crumbs.map { crumb in
      crumb.href.map { "<a href=\"\($0)\">\(HTML.escape(crumb.text))</a>" }
        ?? "<span>\(HTML.escape(crumb.text))</span>"
    }.joined(separator: " <span class=\"crumbs\">/</span> ")
    var page = """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <meta name="color-scheme" content="light dark">
      <title>\(HTML.escape(title))</title>
      <style>\(ReportStyle.css)</style>
      </head>
      <body>
      \(ReportStyle.patterns)
      <header class="top">\(trail)</header>
      <main>
      \(body)
      </main>

      """
    if let script { page += "<script>\(script)</script>\n" }
    page += "</body>\n</html>\n"
    return page
  }
}
