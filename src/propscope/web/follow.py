"""Compare and follow: technique share over time (per outlet or query, side by side),
outlet pages, and two documents side by side.

Pages (``pages``) and ``/api/v1`` endpoints (``api``) over
:mod:`propscope.web.timeseries` and :mod:`propscope.web.outlets`; the chart is SVG
drawn by :mod:`propscope.web.charts`, with the same numbers in a table beside it.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from markupsafe import Markup
from starlette.responses import Response

from propscope.detect.base import DetectorRef
from propscope.errors import UsageError
from propscope.model import AnalysedDocument
from propscope.present import html as report
from propscope.present.summary import technique_counts
from propscope.store import Store
from propscope.techniques import TECHNIQUES
from propscope.text.segment import sentences
from propscope.web import corpus, outlets, timeseries
from propscope.web.charts import Line, line_chart
from propscope.web.corpus import Filters
from propscope.web.deps import StoreDep
from propscope.web.errors import NotFound
from propscope.web.render import highlighted, page

pages = APIRouter(include_in_schema=False)
api = APIRouter(tags=["api"])

Names = Annotated[list[str], Query(max_length=300)]
Queries = Annotated[list[str], Query(max_length=300)]
Technique = Annotated[str | None, Query(max_length=100,
                                        description="A technique's PTC name or slug.")]
Detector = Annotated[str | None, Query(max_length=200,
                                       description="A detector: name, name.vN or full id.")]
PeriodParam = Annotated[str, Query(pattern="^(day|week|month)$",
                                   description="day, week (ISO) or month")]
Day = Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD")]
Unit = Annotated[str, Query(pattern="^(documents|sentences)$",
                            description="share of documents or of their sentences")]


def _series(store: Store, outlet: list[str], q: list[str], technique: str | None,
            detector: str | None, period: str, since: str | None,
            until: str | None, unit: str = "documents") -> timeseries.TimeSeries:
    """The time series the parameters ask for: one line per outlet × query named."""
    checked = Filters.parse(technique_name=technique, detector=detector, since=since,
                            until=until)
    names = [o for o in dict.fromkeys(outlet) if o.strip()] or [None]
    queries = [x for x in dict.fromkeys(q) if x.strip()] or [None]
    specs = [timeseries.SeriesSpec(o, x) for o in names for x in queries]
    return timeseries.timeseries(store, specs, technique=checked.technique,
                                 detector=checked.detector, period=period,
                                 since=checked.since, until=checked.until, unit=unit)


@api.get("/timeseries", summary="Technique share over time, per outlet or query")
def timeseries_api(store: StoreDep, outlet: Names = [],  # noqa: B006 (FastAPI: a copy)
                   q: Queries = [], technique: Technique = None,  # noqa: B006
                   detector: Detector = None, period: PeriodParam = "month",
                   since: Day = None, until: Day = None,
                   unit: Unit = "documents") -> dict[str, Any]:
    """One series per ``outlet`` (repeat it; none: every outlet together) and per
    ``q`` (repeat it): per period, the analysed documents (or their sentences), how
    many carry ``technique`` (any when none is named; or match ``q``) and the share."""
    return _series(store, outlet, q, technique, detector, period, since, until,
                   unit).to_dict()


@api.get("/outlets", summary="Outlets with their volume")
def outlets_api(store: StoreDep) -> list[dict[str, Any]]:
    return [row.to_dict() for row in outlets.outlets(store)]


@api.get("/outlets/{name:path}", summary="One outlet: volume and technique shares")
def outlet_api(store: StoreDep, name: Annotated[str, Path(max_length=300)],
               detector: Detector = None) -> dict[str, Any]:
    found = outlets.summary(store, name, detector=corpus.detector_param(detector))
    if found is None:
        raise NotFound(f"no outlet {name!r}", fix="list them at /api/v1/outlets")
    return found.to_dict()


def chart(found: timeseries.TimeSeries, title: str) -> Markup:
    lines = [Line(s.spec.label,
                  [p.share if p.documents else None for p in s.points],
                  [f"{p.matching} of {p.documents} {found.unit}" for p in s.points])
             for s in found.series]
    return line_chart(found.periods, lines, title=title)


@pages.get("/trends")
def trends_page(request: Request, store: StoreDep, outlet: Names = [],  # noqa: B006
                q: Queries = [], technique: Technique = None,  # noqa: B006
                detector: Detector = None, period: PeriodParam = "month",
                since: Day = None, until: Day = None,
                unit: Unit = "documents") -> Response:
    found = _series(store, outlet, q, technique, detector, period, since, until, unit)
    shown = next((t.display for t in TECHNIQUES if t.name == found.technique), None)
    title = (f"Share of {unit} with {shown}" if shown else f"Share of {unit} with"
             " any technique") + f", by {period}"
    params = [("outlet", o) for o in outlet] + [("q", x) for x in q] + [
        (k, v) for k, v in (("technique", technique), ("detector", detector),
                            ("period", period), ("since", since), ("until", until),
                            ("unit", unit)) if v]
    return page(request, "trends.html", {
        "found": found, "chart": chart(found, title) if found.periods else None,
        "title": title, "all_outlets": outlets.outlets(store, limit=50),
        "chosen_outlets": set(outlet), "queries": (q + ["", ""])[:3],
        "technique": found.technique, "period": period, "detector": detector or "",
        "unit": unit,
        "since": since or "", "until": until or "",
        "json_link": "/api/v1/timeseries?" + urlencode(params),
    })


@pages.get("/outlets")
def outlets_page(request: Request, store: StoreDep) -> Response:
    return page(request, "outlets.html", {"outlets": outlets.outlets(store)})


@pages.get("/outlets/{name:path}")
def outlet_page(request: Request, store: StoreDep,
                name: Annotated[str, Path(max_length=300)],
                detector: Detector = None,
                period: PeriodParam = "month") -> Response:
    chosen = corpus.detector_param(detector)
    found = outlets.summary(store, name, detector=chosen)
    if found is None:
        raise NotFound(f"no outlet {name!r}", fix="see /outlets")
    series = timeseries.timeseries(store, [timeseries.SeriesSpec(name)], detector=chosen,
                                   period=period)
    recent = corpus.list_documents(store, Filters(outlet=name, detector=chosen), limit=20)
    return page(request, "outlet.html", {
        "summary": found, "recent": recent, "series": series, "period": period,
        "chart": chart(series, f"{name}: share of documents with any technique, by {period}")
        if series.periods else None,
        "trends_link": "/trends?" + urlencode({"outlet": name, "period": period}),
    })


@pages.get("/compare")
def compare_page(request: Request, store: StoreDep,
                 a: Annotated[int | None, Query(ge=1, le=2**62)] = None,
                 b: Annotated[int | None, Query(ge=1, le=2**62)] = None,
                 outlet: Names = [],  # noqa: B006
                 detector: Detector = None) -> Response:
    """Two documents side by side (``a`` and ``b``), or outlets' technique shares side
    by side (``outlet`` repeated)."""
    chosen = corpus.detector_param(detector)
    if a is not None or b is not None:
        if a is None or b is None:
            raise UsageError("give two documents to compare: /compare?a=ID&b=ID")
        return _compare_documents(request, store, a, b, chosen)
    names = [o for o in dict.fromkeys(outlet) if o.strip()]
    table = _share_table(store, names, chosen) if names else None
    return page(request, "compare.html", {
        "names": names, "table": table, "all_outlets": outlets.outlets(store, limit=50),
        "detector": detector or "",
        "trends_link": "/trends?" + urlencode([("outlet", o) for o in names]),
    })


def _share_table(store: Store, names: list[str], detector: str | None
                 ) -> dict[str, Any]:
    """Rows of techniques, a column per outlet: each outlet's share."""
    columns = []
    for name in names:
        if outlets.outlet(store, name) is None:
            raise NotFound(f"no outlet {name!r}", fix="see /outlets")
        columns.append(outlets.technique_shares(store, name, detector=detector))
    rows = []
    for t in TECHNIQUES:
        cells = [next((s for s in shares if s.technique == t.name), None)
                 for _, shares in columns]
        if any(cells):
            rows.append((t, cells))
    rows.sort(key=lambda row: -max((c.share for c in row[1] if c), default=0.0))
    return {"analysed": [n for n, _ in columns], "rows": rows}


def _analysed(store: Store, text_id: int, detector: str | None
              ) -> tuple[Any, AnalysedDocument]:
    item = store.get_text(text_id)
    if item is None:
        raise NotFound(f"no document {text_id}", fix="find one through search or the list")
    used = [d for d in store.detectors() if d in item.scores]
    if detector:  # a name, name.vN or full id: the most recent stored id it names
        ref = DetectorRef.parse(detector)
        used = [d for d in used if ref.matches(d)]
    name = used[0] if used else None
    result = AnalysedDocument(item.document, [s for s in item.spans if s.detector == name],
                              name or "", score=item.scores.get(name or "", 0.0),
                              sentences=sentences(item.document.text))
    return item, result


def _compare_documents(request: Request, store: Store, a: int, b: int,
                       detector: str | None) -> Response:
    (item_a, doc_a), (item_b, doc_b) = (_analysed(store, a, detector),
                                        _analysed(store, b, detector))
    counts_a = {t.name: n for t, n in technique_counts(doc_a)}
    counts_b = {t.name: n for t, n in technique_counts(doc_b)}
    rows = [(t, counts_a.get(t.name, 0), counts_b.get(t.name, 0)) for t in TECHNIQUES
            if counts_a.get(t.name) or counts_b.get(t.name)]
    near = dict(store.near_duplicates(a)).get(b)
    return page(request, "compare_documents.html", {
        "items": [item_a, item_b], "docs": [doc_a, doc_b],
        "summaries": [highlighted(doc_a), highlighted(doc_b)],
        "marked": [Markup(report.highlighted_html(doc_a, 0)),
                   Markup(report.highlighted_html(doc_b, 1))],
        "data": Markup(report.data_json([doc_a, doc_b])),
        "rows": rows, "near": near, "view": True,
    })
