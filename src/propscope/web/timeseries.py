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

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from propscope.errors import UsageError
from propscope.store.base import Store
from propscope.store.sql import as_date

Period = Literal["day", "week", "month"]
PERIODS: tuple[str, ...] = ("day", "week", "month")
MAX_SERIES = 6
"""More lines than this on one chart cannot be told apart."""
MAX_QUERY_HITS = 20_000
"""A query series reads its hits' ids; past this many it is refused (narrow it)."""


def period_of(day: date, period: str) -> str:
    """The label of the period ``day`` falls in: ``2024-03-05``, ``2024-W10`` (ISO
    week) or ``2024-03``."""
    if period == "day":
        return day.isoformat()
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "month":
        return day.isoformat()[:7]
    raise UsageError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")


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


MEASURE = ("share of the outlet's analysed documents in the period that carry the"
           " technique (any technique when none is named); in a query's series, that"
           " match the query (and carry the technique when one is named)")


@dataclass(slots=True)
class TimeSeries:
    """Series over a common axis of periods (a period with no document in a series
    has 0 documents there, not a share of 0 — the chart leaves a gap)."""

    period: str
    technique: str | None
    detector: str | None
    periods: list[str]
    series: list[Series]

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.period, "technique": self.technique,
                "detector": self.detector, "unit": "documents",
                "measure": MEASURE,
                "periods": self.periods, "series": [s.to_dict() for s in self.series]}


def timeseries(
    store: Store, specs: Sequence[SeriesSpec], *, technique: str | None = None,
    detector: str | None = None, period: str = "month", since: date | None = None,
    until: date | None = None,
) -> TimeSeries:
    """The share over time of each of ``specs`` (see :class:`SeriesSpec`)."""
    if period not in PERIODS:
        raise UsageError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    if not specs:
        specs = [SeriesSpec()]
    if len(specs) > MAX_SERIES:
        raise UsageError(f"at most {MAX_SERIES} series on one chart (got {len(specs)})")
    found = [Series(spec, _points(store, spec, technique, detector, period, since, until))
             for spec in specs]
    axis = sorted({p.period for s in found for p in s.points})
    for one in found:  # every series on the same axis
        have = {p.period: p for p in one.points}
        one.points = [have.get(name, Point(name, 0, 0)) for name in axis]
    return TimeSeries(period, technique, detector, axis, found)


def _points(store: Store, spec: SeriesSpec, technique: str | None, detector: str | None,
            period: str, since: date | None, until: date | None) -> list[Point]:
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
    carries = "EXISTS (SELECT 1 FROM spans s WHERE s.text_id = t.id"
    carry_params: list[Any] = []
    if technique:
        carries += " AND s.technique = ?"
        carry_params.append(technique)
    if detector:
        cond, patterns = store.detector_condition("s.detector", detector)
        carries += f" AND {cond}"
        carry_params += patterns
    carries += ")"
    rows = store.query(
        f"SELECT SUBSTR(CAST(t.published AS TEXT), 1, 10), COUNT(*),"
        f" SUM(CASE WHEN {carries} THEN 1 ELSE 0 END), t.id"
        f" FROM texts t WHERE {' AND '.join(where)} GROUP BY 1, 4",
        [*carry_params, *params],
    ) if spec.query else store.query(
        f"SELECT SUBSTR(CAST(t.published AS TEXT), 1, 10), COUNT(*),"
        f" SUM(CASE WHEN {carries} THEN 1 ELSE 0 END)"
        f" FROM texts t WHERE {' AND '.join(where)} GROUP BY 1",
        [*carry_params, *params],
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
