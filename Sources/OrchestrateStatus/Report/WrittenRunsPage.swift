import FoundationEssentials

/// `runs.html` of a written report: the newest runs of every pipeline,
/// filtered in the page by the same choices `serve`'s list takes from its
/// query (pipeline, status, environment, start, trigger), since no server
/// stands behind a report opened from a file.
enum WrittenRunsPage {
  /// As many runs as a page of a few MiB holds; older ones are a
  /// `orchestrate runs` away.
  static let limit = 2_000

  static func render(_ list: RunList, pipelines: [String], links: ReportLinks, now: Date)
    -> String
  {
    var body = "<h1>Runs</h1>"
    body += "<div class=\"filters\">"
    body += choice("pipeline", pipelines.map { ($0, $0) })
    body += choice("status", RunStatus.allCases.map { ($0.rawValue, $0.rawValue) })
    body += choice("environment", RunsPage.environments(list).map { ($0, $0) })
    body += choice(
      "started", [("1d", "last 1d"), ("7d", "last 7d"), ("14d", "last 14d"), ("30d", "last 30d")],
      any: "any time")
    body += choice("trigger", RunTrigger.allCases.map { ($0.rawValue, $0.rawValue) })
    body += "</div>"
    let shown =
      list.runs.count < list.matching
      ? "the newest \(list.runs.count) of \(list.matching) runs (orchestrate runs lists the rest)"
      : "\(list.matching) run(s)"
    body +=
      "<p class=\"muted\"><span id=\"shown\">\(list.runs.count)</span> shown of \(shown), newest first, as of \(ReportFormat.time(now)) UTC.</p>"
    body +=
      list.runs.isEmpty
      ? "<p class=\"muted\">No runs recorded yet.</p>"
      : "<p class=\"muted\" id=\"none\" hidden>No runs match.</p>"
        + RunsPage.table(list, links: links)
    body += UnreadableSection.render(list.unreadableFiles)
    return PageFrame.render(
      title: "orchestrate: runs", crumbs: [("orchestrate", "index.html"), ("runs", nil)],
      body: body, script: script(now: now))
  }

  /// A labelled list of values; the first, "any", leaves the runs unfiltered.
  static func choice(_ name: String, _ values: [(value: String, text: String)], any: String = "any")
    -> String
  {
    let options = values.map {
      "<option value=\"\(HTML.escape($0.value))\">\(HTML.escape($0.text))</option>"
    }.joined()
    return
      "<div><label><b>\(name)</b> <select data-filter=\"\(name)\"><option value=\"\">\(any)</option>\(options)</select></label></div>"
  }

  /// Hides the rows a choice leaves out. "Started" counts back from the
  /// moment the page was written, as `--since 7d` from the moment asked.
  /// The choices live in the address's fragment (`runs.html#status=failed`),
  /// so that a filtered list can be linked to and kept as a bookmark.
  static func script(now: Date) -> String {
    """
    (function(){var written=\(Int64(now.timeIntervalSince1970));\
    var days={'1d':1,'7d':7,'14d':14,'30d':30};\
    var selects=document.querySelectorAll('select[data-filter]');\
    var rows=document.querySelectorAll('tbody tr[data-status]');\
    function apply(){var chosen={};selects.forEach(function(s){chosen[s.dataset.filter]=s.value;});\
    var shown=0;rows.forEach(function(r){var keep=\
    (!chosen.pipeline||r.dataset.pipeline===chosen.pipeline)&&\
    (!chosen.status||r.dataset.status===chosen.status)&&\
    (!chosen.environment||r.dataset.environment===chosen.environment)&&\
    (!chosen.trigger||r.dataset.trigger===chosen.trigger)&&\
    (!chosen.started||Number(r.dataset.started)>=written-days[chosen.started]*86400);\
    r.hidden=!keep;if(keep){shown++;}});\
    document.getElementById('shown').textContent=shown;\
    var none=document.getElementById('none');if(none){none.hidden=shown>0;}}\
    new URLSearchParams(location.hash.slice(1)).forEach(function(v,k){    selects.forEach(function(s){if(s.dataset.filter===k){s.value=v;}});});    selects.forEach(function(s){s.addEventListener('change',function(){    var q=new URLSearchParams();selects.forEach(function(t){if(t.value){q.set(t.dataset.filter,t.value);}});    history.replaceState(null,'','#'+q.toString());apply();});});apply();})();
    """
  }
}
