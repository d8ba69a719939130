"""``render_html(report)``: the report as one offline page, charts drawn as inline SVG.

Why hand-drawn SVG: the page must open from a file with no network (no CDN, no
script at all: the Content-Security-Policy forbids it), and bar charts of monthly
counts need thirty lines, not a charting library.  Every string from the corpus goes
through :func:`html.escape` once, in :func:`_e`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from propscope.analytics.reporting import Report

CHART_W, CHART_H = 640, 120

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;color:#222}
h1{font-size:1.6rem}h2{margin-top:2.2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5rem 0;width:100%}
td,th{border-bottom:1px solid #eee;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f6f6}td.n{text-align:right;font-variant-numeric:tabular-nums}
svg{background:#fafafa;border:1px solid #eee}.bar{fill:#4a78b5}.cp{stroke:#d33;stroke-width:2}
.muted{color:#777}.chart{display:inline-block;margin:.3rem 1rem .3rem 0}
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def bar_chart(series: Mapping[str, float], *, title: str = "",
              marks: Iterable[str] = ()) -> str:
    """Bars of ``series`` (period -> value) in period order; ``marks`` (periods) get a
    red line: the change points."""
    items = sorted((k, float(v)) for k, v in series.items() if k != "undated")
    if not items:
        return ""
    top = max(v for _, v in items) or 1.0
    width = CHART_W / len(items)
    bars, index = [], {k: i for i, (k, _) in enumerate(items)}
    for i, (key, value) in enumerate(items):
        h = (CHART_H - 20) * value / top
        bars.append(
            f'<rect class="bar" x="{i * width:.1f}" y="{CHART_H - 14 - h:.1f}" '
            f'width="{max(width - 1, 0.5):.1f}" height="{h:.1f}"><title>{_e(key)}: '
            f'{value:g}</title></rect>')
    for mark in marks:
        if mark in index:
            x = index[mark] * width
            bars.append(f'<line class="cp" x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{CHART_H - 14}">'
                        f"<title>change at {_e(mark)}</title></line>")
    axis = (f'<text x="0" y="{CHART_H - 2}" font-size="10">{_e(items[0][0])}</text>'
            f'<text x="{CHART_W}" y="{CHART_H - 2}" font-size="10" text-anchor="end">'
            f"{_e(items[-1][0])}</text>")
    return (f'<figure class="chart"><svg xmlns="http://www.w3.org/2000/svg" width="{CHART_W}" '
            f'height="{CHART_H}" role="img" aria-label="{_e(title)}">{"".join(bars)}{axis}</svg>'
            f"<figcaption>{_e(title)} (max {top:g})</figcaption></figure>")


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]], numeric: set[int] | None = None
           ) -> str:
    if numeric is None:
        numeric = set()
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(
            f'<td class="n">{_e(c)}</td>' if i in numeric else f"<td>{_e(c)}</td>"
            for i, c in enumerate(row)) + "</tr>"
        for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _top(mapping: Mapping[str, Any], n: int = 5) -> str:
    return "; ".join(f"{k} ({v})" for k, v in list(mapping.items())[:n])


def _leaders(report: Report) -> str:
    out = ["<h2>Leaders and titles</h2>"]
    out.append(_table(
        ["person", "mentions", "texts", "first seen", "titles", "honorifics"],
        [(p["name"], p["mentions"], p["texts"], p["first_seen"], _top(p["titles"]),
          _top(p["honorifics"])) for p in report.people], {1, 2}))
    for p in report.people[:4]:
        out.append(bar_chart(p["by_month"], title=f"{p['name']}: mentions by month"))
        out.append(bar_chart(p["intensity_by_month"],
                             title=f"{p['name']}: mean honorific intensity by month"))
    return "".join(out)


def _appearances(report: Report, limit: int = 300) -> str:
    out = [f"<h2>Appearances ({len(report.appearances)})</h2>"]
    rows = [(a["day"], a.get("name") or a["person"], a["event"], a["place"],
             ", ".join(o["name"] for o in a["officials"] if o["role"] == "accompanied"),
             a["text_id"]) for a in report.appearances[-limit:]]
    out.append(_table(["day", "leader", "event", "place", "accompanied by (in order)", "text"],
                      rows, {5}))
    if report.officials:
        out.append("<h3>Officials named with the leader</h3>")
        out.append('<p class="muted">position 1 = named first; change &lt; 0 = named '
                   "earlier in the later half of their appearances (rising).</p>")
        out.append(_table(
            ["official", "appearances", "mean position", "best", "change", "title"],
            [(o["name"], o["appearances"], o["mean_position"], o["best_position"],
              o["position_change"], o["title"]) for o in report.officials], {1, 2, 3, 4}))
    return "".join(out)


def _targets(report: Report) -> str:
    if not report.targets:
        return ('<h2>Targets of attack</h2><p class="muted">No detector has analysed this '
                "store: run <code>propscope analyze --db …</code> first.</p>")
    out = ["<h2>Targets of attack</h2>"]
    out.append(_table(
        ["target", "attacks", "texts", "first seen", "labels used", "techniques"],
        [(t["target"], t["attacks"], t["texts"], t["first_seen"], _top(t["labels"], 8),
          _top(t["techniques"])) for t in report.targets], {1, 2}))
    for t in report.targets[:4]:
        out.append(bar_chart(t["by_month"], title=f"attacks on {t['target']} by month"))
    return "".join(out)


def _slogans(report: Report) -> str:
    data = report.slogans
    if not data:
        return ""
    out = ["<h2>Slogans and formulas</h2>"]
    for key, caption in (("top", "most frequent"), ("new", "new in the period"),
                         ("rising", "rising in the period")):
        items = data.get(key, [])
        if not items:
            continue
        out.append(f"<h3>{_e(caption)}</h3>")
        out.append(_table(
            ["slogan", "texts", "score", "first seen", "variants"],
            [(s["text"], s["texts"], s["score"], s["first_seen"],
              "; ".join(s.get("variants", [])[:3])) for s in items], {1, 2}))
    return "".join(out)


def _reuse(report: Report) -> str:
    if not report.reuse:
        return ""
    out = ["<h2>Passages that travel</h2>"]
    out.append(_table(
        ["passage", "copies", "first (text, day)", "then", "lag (days)"],
        [(r["passage"][:200], r["copies"], f"{r['first']['text_id']}, {r['first']['day']}",
          ", ".join(f"{c['text_id']}" for c in r["copies_at"][:8]), r["max_lag_days"])
         for r in report.reuse], {1, 4}))
    return "".join(out)


def _trends(report: Report) -> str:
    if not report.trends:
        return ""
    out = ["<h2>Trends and change points</h2>"]
    for trend in report.trends:
        out.append(bar_chart(trend["share_by_month"], title=trend["name"],
                             marks=[c["period"] for c in trend["change_points"]]))
        if trend["change_points"]:
            out.append(_table(
                ["change at", "before", "after", "texts carrying it"],
                [(c["period"], c["before"], c["after"],
                  ", ".join(str(i) for i in c["texts"][:10])) for c in trend["change_points"]],
                {1, 2}))
    return "".join(out)


def render_html(report: Report) -> str:
    """The whole report as one self-contained HTML page."""
    meta = report.meta
    scope = ", ".join(f"{k}: {v}" for k, v in (("since", meta.get("since")),
                                               ("outlet", meta.get("outlet")),
                                               ("detector", meta.get("detector"))) if v)
    body = "".join(section(report) for section in (
        _leaders, _appearances, _targets, _slogans, _reuse, _trends))
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>propscope report</title><style>{_STYLE}</style></head><body>"
        f"<h1>propscope corpus report</h1><p class=\"muted\">{_e(scope) or 'whole store'}; "
        f"lexicon {_e(', '.join(meta.get('countries', [])))} {_e(meta.get('lexicon_version'))}"
        f"</p>{body}</body></html>"
    )
