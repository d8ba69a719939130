"""Technique share over time, per outlet or per search query, normalised by volume.

Why shares and not counts: a week in which an outlet files twice as many stories is
not a week of twice the propaganda.  Each point is *the share of the outlet's analysed
documents in that period that carry the technique* (or match the query), so series of
a busy and a quiet outlet can be read on one axis.

One SQL statement per series counts documents by day (both backends group the same
``YYYY-MM-DD`` text); days are folded into ISO weeks or months here, so the SQL stays
the same on SQLite and PostgreSQL.  A day holds a few rows per outlet, so the result is
small whatever the corpus size.  Everything goes through the store's public read seam.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from propscope.errors import UsageError
from propscope.store.base import Store
from propscope.store.sql import as_date
from propscope.text.segment import sentences

PERIODS: tuple[str, ...] = ("day", "week", "month")
"""How dates are grouped (ISO weeks); each is also the name of the documents filter."""
UNITS: tuple[str, ...] = ("documents", "sentences")
MAX_SERIES = 6
"""More lines than this on one chart cannot be told apart."""
MAX_QUERY_HITS = 20_000
"""A query series reads its hits' ids; past this many it is refused (narrow it)."""


def check_period(period: str) -> None:
    """Refuse a period that is not a day, an ISO week or a month (a user's value)."""
    if period not in PERIODS:
        raise UsageError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")


def period_of(day: date, period: str) -> str:
    """The label of the period ``day`` falls in: ``2024-03-05``, ``2024-W10`` (ISO
    week) or ``2024-03``."""
    if period == "day":
        return day.isoformat()
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    check_period(period)
    return day.isoformat()[:7]


@dataclass(frozen=True, slots=True)
class SeriesSpec:
    """One line: documents of ``outlet`` (every outlet when None), and when
    ``query`` is given only those it finds (see :data:`MEASURE`)."""

    outlet: str | None = None
    query: str | None = None

    @property
    def label(self) -> str:
        parts = [self.outlet or "all outlets"]
        if self.query:
            parts.append(f"“{self.query}”")
        return " · ".join(parts)


@dataclass(frozen=True, slots=True)
class Point:
    period: str
    documents: int
    matching: int

    @property
    def share(self) -> float:
        return self.matching / self.documents if self.documents else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period, "documents": self.documents,
                "matching": self.matching, "share": round(self.share, 6)}


@dataclass(slots=True)
class Series:
    spec: SeriesSpec
    points: list[Point] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.spec.label, "outlet": self.spec.outlet,
                "query": self.spec.query, "points": [p.to_dict() for p in self.points]}


MEASURE = ("share of the outlet's analysed documents (unit=sentences: of their"
           " sentences) in the period that carry the technique (any technique when none is"
           " named); in a query's series, of documents: those the query finds (and carry"
           " the technique when one is named), of sentences: those carrying it in the"
           " documents the query finds")


@dataclass(slots=True)
class TimeSeries:
    """Series over a common axis of periods (a period with no document in a series
    has 0 documents there, not a share of 0 — the chart leaves a gap)."""

    period: str
    technique: str | None
    detector: str | None
    periods: list[str]
    series: list[Series]
    unit: str = "documents"

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period, "technique": self.technique,
                "detector": self.detector, "unit": self.unit,
                "measure": MEASURE,
                "periods": self.periods, "series": [s.to_dict() for s in self.series]}


def timeseries(
    store: Store, specs: Sequence[SeriesSpec], *, technique: str | None = None,
    detector: str | None = None, period: str = "month", since: date | None = None,
    until: date | None = None, unit: str = "documents",
) -> TimeSeries:
    """The share over time of each of ``specs`` (see :class:`SeriesSpec`), of
    documents or (``unit="sentences"``) of their sentences."""
    check_period(period)
    if unit not in UNITS:
        raise UsageError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
    if not specs:
        specs = [SeriesSpec()]
    if len(specs) > MAX_SERIES:
        raise UsageError(f"at most {MAX_SERIES} series on one chart (got {len(specs)})")
    count = _points if unit == "documents" else _sentence_points
    found = [Series(spec, count(store, spec, technique, detector, period, since, until))
             for spec in specs]
    axis = sorted({p.period for s in found for p in s.points})
    for one in found:  # every series on the same axis
        have = {p.period: p for p in one.points}
        one.points = [have.get(name, Point(name, 0, 0)) for name in axis]
    return TimeSeries(period, technique, detector, axis, found, unit)


def _selection(store: Store, spec: SeriesSpec, technique: str | None,
               detector: str | None, since: date | None, until: date | None
               ) -> tuple[str, list[Any], str, list[Any]]:
    """SQL conditions on ``texts t`` for the series' denominator (analysed, dated, of
    the outlet, in the dates) and on ``spans s`` for its numerator, with parameters."""
    where = ["t.published IS NOT NULL"]
    params: list[Any] = []
    # The denominator: documents analysed (by ``detector`` when given), so a text not
    # analysed yet is not counted as one without propaganda.
    analysed = "EXISTS (SELECT 1 FROM analyses a WHERE a.text_id = t.id"
    if detector:
        cond, patterns = store.detector_condition("a.detector", detector)
        analysed += f" AND {cond}"
        params += patterns
    where.append(analysed + ")")
    if spec.outlet:
        where.append("t.outlet_id = (SELECT id FROM outlets WHERE name = ?)")
        params.append(spec.outlet)
    if since:
        where.append("t.published >= ?")
        params.append(store.date_param(since))
    if until:
        where.append("t.published <= ?")
        params.append(store.date_param(until))
    spans, span_params = ["1 = 1"], []
    if technique:
        spans.append("s.technique = ?")
        span_params.append(technique)
    if detector:
        cond, patterns = store.detector_condition("s.detector", detector)
        spans.append(cond)
        span_params += patterns
    return " AND ".join(where), params, " AND ".join(spans), span_params


def _points(store: Store, spec: SeriesSpec, technique: str | None, detector: str | None,
            period: str, since: date | None, until: date | None) -> list[Point]:
    where, params, spans, span_params = _selection(store, spec, technique, detector,
                                                   since, until)
    carries = f"EXISTS (SELECT 1 FROM spans s WHERE s.text_id = t.id AND {spans})"
    by_text = ", t.id" if spec.query else ""  # a query's hits are told apart by id
    rows = store.query(
        f"SELECT SUBSTR(CAST(t.published AS TEXT), 1, 10), COUNT(*),"
        f" SUM(CASE WHEN {carries} THEN 1 ELSE 0 END){by_text}"
        f" FROM texts t WHERE {where} GROUP BY 1{by_text}",
        [*span_params, *params],
    )
    hits = _query_ids(store, spec.query) if spec.query else None
    documents: dict[str, int] = defaultdict(int)
    matching: dict[str, int] = defaultdict(int)
    for row in rows:
        day = as_date(row[0])
        if day is None:
            continue
        key = period_of(day, period)
        documents[key] += int(row[1])
        carried = int(row[2] or 0)
        if hits is not None:  # one row per text: it counts when it matches the query
            # (and, when a technique is asked for, carries it too)
            matched = int(row[3]) in hits
            carried = (carried if technique else 1) if matched else 0
        matching[key] += carried
    return [Point(key, documents[key], matching[key]) for key in sorted(documents)]


def _sentence_points(store: Store, spec: SeriesSpec, technique: str | None,
                     detector: str | None, period: str, since: date | None,
                     until: date | None) -> list[Point]:
    """Like :func:`_points`, counting sentences: a point's ``documents`` is the number
    of sentences of the period's analysed texts, ``matching`` those in which a span of
    the technique starts (in a query's series: in the texts the query finds)."""
    where, params, spans, span_params = _selection(store, spec, technique, detector,
                                                   since, until)
    days = {int(i): as_date(d) for i, d in store.query(
        f"SELECT t.id, t.published FROM texts t WHERE {where}", params)}
    starts = _sentence_starts(store, list(days))
    hits = _query_ids(store, spec.query) if spec.query else None
    carrying: dict[int, set[int]] = defaultdict(set)
    for text_id, start in store.query(
            f"SELECT s.text_id, s.start_char FROM spans s WHERE {spans} AND s.text_id IN"
            f" (SELECT t.id FROM texts t WHERE {where})", [*span_params, *params]):
        if hits is None or int(text_id) in hits:
            bounds = starts.get(int(text_id), [0])
            carrying[int(text_id)].add(max(0, bisect_right(bounds, int(start)) - 1))
    documents: dict[str, int] = defaultdict(int)
    matching: dict[str, int] = defaultdict(int)
    for text_id, day in days.items():
        if day is None:
            continue
        key = period_of(day, period)
        documents[key] += len(starts.get(text_id, ()))
        matching[key] += len(carrying.get(text_id, ()))
    return [Point(key, documents[key], matching[key]) for key in sorted(documents)]


_STARTS_KEPT = 200_000
_starts: OrderedDict[tuple[str, int], list[int]] = OrderedDict()
_starts_lock = threading.Lock()


def _sentence_starts(store: Store, ids: list[int]) -> dict[int, list[int]]:
    """Where each text's sentences start.  A stored text never changes (its id names
    one content hash), so the boundaries are kept per process, the most recent
    :data:`_STARTS_KEPT` texts, and a text is segmented once."""
    found: dict[int, list[int]] = {}
    with _starts_lock:
        for text_id in ids:
            key = (store.url, text_id)
            if key in _starts:
                found[text_id] = _starts[key]
    missing = [i for i in ids if i not in found]
    for k in range(0, len(missing), 200):
        part = missing[k:k + 200]
        marks = ", ".join("?" * len(part))
        for text_id, text in store.query(f"SELECT id, text FROM texts WHERE id IN ({marks})",
                                         part):
            found[int(text_id)] = [a for a, _ in sentences(text)]
        with _starts_lock:
            for text_id in part:
                if text_id in found:
                    _starts[(store.url, text_id)] = found[text_id]
            while len(_starts) > _STARTS_KEPT:
                _starts.popitem(last=False)
    return found


def _query_ids(store: Store, query: str) -> set[int]:
    """The ids of every text ``query`` finds (the store's own search, exact rules)."""
    found: set[int] = set()
    offset = 0
    while True:
        page = store.search_page(query, mode="stemmed", limit=500, offset=offset)
        if page.total > MAX_QUERY_HITS:
            raise UsageError(f"the query {query!r} finds {page.total} documents; a series"
                             f" takes at most {MAX_QUERY_HITS}",
                             fix="use a narrower query or the technique alone")
        found.update(hit.text_id for hit in page.hits)
        offset += len(page.hits)
        if not page.hits or offset >= page.total:
            return found
