/// The one style sheet, inlined in every page: no request leaves the page.
/// Colours come in light and dark variants (`prefers-color-scheme`); every
/// status also has a glyph and a word, and bad outcomes a hatch pattern.
enum ReportStyle {
  static let css = """
    :root{--bg:#fff;--fg:#1d232b;--muted:#5d6875;--line:#d8dde3;--panel:#f5f7f9;
    --ok:#2e8540;--bad:#c62828;--warn:#b7791f;--run:#1f6feb;--idle:#8a94a0;--band:rgba(31,111,235,.12)}
    @media (prefers-color-scheme:dark){:root{--bg:#14181d;--fg:#e3e8ee;--muted:#9aa5b1;
    --line:#2d353f;--panel:#1b2128;--ok:#4caf63;--bad:#ef5350;--warn:#e0a030;--run:#58a6ff;
    --idle:#7d8793;--band:rgba(88,166,255,.16)}}
    *{box-sizing:border-box}
    body{margin:0;background:var(--bg);color:var(--fg);
    font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
    header.top{padding:10px 20px;border-bottom:1px solid var(--line);display:flex;gap:14px;
    align-items:baseline;flex-wrap:wrap}
    header.top a{color:var(--fg);text-decoration:none;font-weight:600}
    header.top .crumbs{color:var(--muted)}
    main{padding:12px 20px 40px;max-width:1280px}
    h1{font-size:22px;margin:8px 0 4px}h2{font-size:17px;margin:26px 0 8px}
    a{color:var(--run)}
    .muted{color:var(--muted)}
    .badge{display:inline-block;padding:0 7px;border-radius:10px;font-size:12.5px;
    font-weight:600;color:#fff;white-space:nowrap}
    .badge.s-ok{background:var(--ok)}.badge.s-bad{background:var(--bad)}
    .badge.s-warn{background:var(--warn)}.badge.s-run{background:var(--run)}
    .badge.s-idle{background:var(--idle)}
    table{border-collapse:collapse;width:100%}
    th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
    th{font-size:12px;text-transform:uppercase;letter-spacing:.03em;color:var(--muted);
    font-weight:600}
    td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
    .scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
    .facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:6px 18px;
    margin:10px 0}
    .facts div{background:var(--panel);padding:6px 10px;border-radius:6px}
    .facts b{display:block;font-size:11.5px;text-transform:uppercase;color:var(--muted);
    font-weight:600}
    ul.problems,ul.totals{margin:4px 0;padding-left:18px}
    pre{background:var(--panel);padding:8px 10px;border-radius:6px;overflow-x:auto;
    font-size:12.5px;white-space:pre-wrap;word-break:break-word}
    svg{display:block}svg text{fill:var(--muted);font-size:11px}
    svg .bar.s-ok{fill:var(--ok)}svg .bar.s-bad{fill:url(#hatch-bad)}
    svg .bar.s-timeout{fill:url(#hatch-timeout)}
    svg .bar.s-warn{fill:url(#hatch-warn)}svg .bar.s-run{fill:var(--run)}
    svg .bar.s-idle{fill:var(--idle)}
    svg .wait{fill:url(#hatch-wait)}svg .delay{fill:url(#dots-delay)}
    svg .phase{fill:var(--fg);opacity:.35}svg .phase.alt{opacity:.6}svg .phase.failed{fill:var(--bad);opacity:.9}
    svg .band{fill:var(--band)}svg .rule{stroke:var(--line)}
    svg .p50{stroke:var(--run);stroke-dasharray:4 3}
    svg .now{stroke:var(--run);stroke-width:1.5}
    .chart{min-width:720px;width:100%;height:auto}
    .spark{width:120px;height:26px}
    .grid{width:auto}.grid td.cell{padding:0;border-bottom:none;text-align:center}
    .grid td.cell span{display:inline-block;width:22px;height:20px;line-height:20px;
    font-size:12px;color:#fff;border-radius:3px;margin:1px}
    .grid .s-ok{background:var(--ok)}.grid .s-bad{background:var(--bad)}
    .grid .s-warn{background:var(--warn)}.grid .s-run{background:var(--run)}
    .grid .s-idle{background:var(--idle)}
    .grid th.run{writing-mode:vertical-rl;transform:rotate(180deg);font-size:10.5px;
    text-transform:none;letter-spacing:0;padding:4px 0;white-space:nowrap;text-align:center;
    vertical-align:bottom}
    .grid th.run a{color:var(--muted);text-decoration:none}
    .legend{display:flex;flex-wrap:wrap;gap:6px 14px;font-size:12.5px;color:var(--muted);
    margin:6px 0}
    .legend svg{display:inline-block;vertical-align:middle}
    .progress{height:8px;background:var(--panel);border:1px solid var(--line);border-radius:4px;
    overflow:hidden;min-width:120px}
    .progress i{display:block;height:100%;background:var(--run)}
    .slow{color:var(--warn);font-weight:600}
    details summary{cursor:pointer;color:var(--muted)}
    code{font-size:12.5px}
    .filters{display:grid;gap:4px;margin:8px 0 12px}
    .filters b{display:inline-block;min-width:110px;margin-right:6px;font-size:11.5px;text-transform:uppercase;
    color:var(--muted);font-weight:600}
    .filters a{margin-right:10px;text-decoration:none;white-space:nowrap}
    .filters a.on{color:var(--fg);font-weight:700;border-bottom:2px solid var(--run)}
    @media (max-width:640px){main{padding:10px 10px 30px}header.top{padding:8px 10px}
    th,td{padding:4px 5px}.hide-narrow{display:none}
    .facts{grid-template-columns:repeat(auto-fill,minmax(150px,1fr))}}
    @media print{header.top a{color:#000}.scroll{overflow:visible}.chart{min-width:0}}
    """

  /// Fills every chart on a page refers to: hatches for failed, timed-out
  /// and waiting bars, dots for retry delays. Drawn in `currentColor` of
  /// the status so they carry colour and shape at once.
  static let patterns = """
    <svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>\
    <pattern id="hatch-bad" width="6" height="6" patternUnits="userSpaceOnUse" \
    patternTransform="rotate(45)"><rect width="6" height="6" style="fill:var(--bad)"/>\
    <rect width="2" height="6" fill="#fff" opacity=".45"/></pattern>\
    <pattern id="hatch-timeout" width="6" height="6" patternUnits="userSpaceOnUse">\
    <rect width="6" height="6" style="fill:var(--bad)"/><rect width="6" height="2" fill="#fff" \
    opacity=".5"/></pattern>\
    <pattern id="hatch-warn" width="6" height="6" patternUnits="userSpaceOnUse">\
    <rect width="6" height="6" style="fill:var(--warn)"/><circle cx="3" cy="3" r="1.2" \
    fill="#fff" opacity=".55"/></pattern>\
    <pattern id="hatch-wait" width="6" height="6" patternUnits="userSpaceOnUse" \
    patternTransform="rotate(-45)"><rect width="6" height="6" style="fill:var(--panel)"/>\
    <rect width="1.5" height="6" style="fill:var(--idle)"/></pattern>\
    <pattern id="dots-delay" width="5" height="5" patternUnits="userSpaceOnUse">\
    <rect width="5" height="5" style="fill:var(--panel)"/><circle cx="2.5" cy="2.5" r="1.1" \
    style="fill:var(--warn)"/></pattern></defs></svg>
    """
}
