"""Read-side queries the workbench needs that the :class:`~propscope.store.Store`
interface does not offer: a filtered, paginated document list, facet counts, and a
technique's strongest spans across the corpus.

Why here and not in the store: they are a face's views over the store's tables, like
the analytics package's, and read only.  They run through the store's public read
seam (:meth:`Store.query <propscope.store.base.Store.query>` on the per-thread read
connection, :meth:`~propscope.store.base.Store.detector_condition`,
:meth:`~propscope.store.base.Store.date_param`), in SQL both SQLite and PostgreSQL
speak, and every value a user gives is a bound parameter, never part of the SQL text.  When a second face needs one of these, it belongs in the store.
"""

from __future__ import annotations

import functools
import re
import sys
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from propscope.analytics import reuse
from propscope.analytics.db import TABLE as FACTS
from propscope.analytics.db import FactTable
from propscope.analytics.lexicon import load_lexicon
from propscope.analytics.stages import STAGES, version
from propscope.detect.base import DetectorRef
from propscope.errors import DetectorError, UsageError
from propscope.store.base import Store
from propscope.store.sql import as_date
from propscope.techniques import TECHNIQUES_BY_NAME, technique
from propscope.web.timeseries import check_period, period_of

MAX_PAGE = 200
"""The most documents one page of a list holds; an export has no cap."""


@dataclass(frozen=True, slots=True)
class Filters:
    """What a reader narrowed the corpus to; every field optional."""

    outlet: str | None = None
    technique: str | None = None
    detector: str | None = None
    since: date | None = None
    until: date | None = None
    month: str | None = None  # YYYY-MM
    section: str | None = None  # as a URL that carried the text filed it
    day: date | None = None
    week: str | None = None  # ISO week, YYYY-Www

    @classmethod
    def parse(cls, *, outlet: str | None = None, technique_name: str | None = None,
              detector: str | None = None, since: str | None = None,
              until: str | None = None, month: str | None = None,
              section: str | None = None, day: str | None = None,
              week: str | None = None) -> Filters:
        """Filters from query parameters, refusing malformed values with a 400."""
        return cls(
            outlet=outlet or None,
            technique=_technique_name(technique_name) if technique_name else None,
            detector=detector_param(detector),
            since=_day(since, "since"),
            until=_day(until, "until"),
            month=_month(month),
            section=section or None,
            day=_day(day, "day"),
            week=_week(week),
        )

    def active(self) -> bool:
        return any(getattr(self, name) for name in self.__slots__)

    def params(self) -> dict[str, str]:
        """The filters as query parameters, for links that keep them."""
        found = {"outlet": self.outlet, "section": self.section,
                 "technique": self.technique, "detector": self.detector,
                 "month": self.month, "week": self.week,
                 "day": self.day.isoformat() if self.day else None,
                 "since": self.since.isoformat() if self.since else None,
                 "until": self.until.isoformat() if self.until else None}
        return {k: v for k, v in found.items() if v}


def detector_param(value: str | None) -> str | None:
    """A detector a user named (``fast``, ``fast.v1`` or a full id), checked: a value
    that names none is the user's mistake (400), not a fault of the detectors."""
    if not value:
        return None
    try:
        DetectorRef.parse(value)
    except DetectorError as err:
        raise UsageError(err.message, fix=err.fix) from None
    return value


def _technique_name(value: str) -> str:
    try:
        return technique(value).name
    except KeyError:
        raise UsageError(f"unknown technique {value!r}",
                         fix="use a name or slug from /api/v1/facets") from None


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{name}={value!r} is not a YYYY-MM-DD date") from None


def _month(value: str | None) -> str | None:
    if not value:
        return None
    try:
        date.fromisoformat(value + "-01")
    except ValueError:
        raise UsageError(f"month={value!r} is not YYYY-MM") from None
    return value


_WEEK = re.compile(r"(\d{4})-W(\d{2})")


def _week(value: str | None) -> str | None:
    if not value:
        return None
    found = _WEEK.fullmatch(value)
    try:
        if found is None:
            raise ValueError
        date.fromisocalendar(int(found[1]), int(found[2]), 1)
    except ValueError:
        raise UsageError(f"week={value!r} is not an ISO week YYYY-Www (e.g. 2024-W09)") from None
    return value


def week_days(week: str) -> tuple[date, date]:
    """The Monday and the Sunday of ISO ``week`` (``YYYY-Www``, already checked)."""
    year, number = int(week[:4]), int(week[6:])
    return date.fromisocalendar(year, number, 1), date.fromisocalendar(year, number, 7)


_MONTH_SQL = "SUBSTR(CAST(t.published AS TEXT), 1, 7)"


def _where(store: Store, filters: Filters) -> tuple[str, list[Any]]:
    """SQL conditions on ``texts t`` (and their parameters) for ``filters``."""
    where: list[str] = []
    params: list[Any] = []
    if filters.outlet:
        where.append("t.outlet_id = (SELECT id FROM outlets WHERE name = ?)")
        params.append(filters.outlet)
    if filters.section:
        # A text filed under several sections (one URL each) is kept by any of them.
        where.append("EXISTS (SELECT 1 FROM urls u WHERE u.text_id = t.id AND u.section = ?)")
        params.append(filters.section)
    span_cond: list[str] = []
    span_params: list[Any] = []
    if filters.detector:
        sql, patterns = store.detector_condition("s.detector", filters.detector)
        span_cond.append(sql)
        span_params += patterns
    if filters.technique:
        span_cond.append("s.technique = ?")
        span_params.append(filters.technique)
        where.append("EXISTS (SELECT 1 FROM spans s WHERE s.text_id = t.id AND "
                     + " AND ".join(span_cond) + ")")
        params += span_params
    elif filters.detector:
        sql, patterns = store.detector_condition("a.detector", filters.detector)
        where.append(f"EXISTS (SELECT 1 FROM analyses a WHERE a.text_id = t.id AND {sql})")
        params += patterns
    if filters.since:
        where.append("t.published >= ?")
        params.append(store.date_param(filters.since))
    if filters.until:
        where.append("t.published <= ?")
        params.append(store.date_param(filters.until))
    if filters.month:
        where.append(f"{_MONTH_SQL} = ?")
        params.append(filters.month)
    if filters.day:
        where.append("t.published = ?")
        params.append(store.date_param(filters.day))
    if filters.week:
        # A range of days, not a week function: the databases number weeks differently.
        monday, sunday = week_days(filters.week)
        where.append("t.published >= ? AND t.published <= ?")
        params += [store.date_param(monday), store.date_param(sunday)]
    return (" AND ".join(where) or "1 = 1"), params


@dataclass(frozen=True, slots=True)
class DocumentRow:
    id: int
    title: str | None
    url: str | None
    outlet: str | None
    published: date | None
    spans: int

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "url": self.url, "outlet": self.outlet,
                "published": self.published.isoformat() if self.published else None,
                "spans": self.spans}


@dataclass(slots=True)
class DocumentPage:
    total: int
    offset: int
    limit: int
    rows: list[DocumentRow] = field(default_factory=list)


def check_page(limit: int, offset: int) -> None:
    if not 0 < limit <= MAX_PAGE or offset < 0:
        raise UsageError(f"limit must be 1 to {MAX_PAGE} and offset 0 or more "
                         f"(got limit={limit}, offset={offset})")


def list_documents(store: Store, filters: Filters, *, limit: int = 20,
                   offset: int = 0) -> DocumentPage:
    """One page of the texts ``filters`` keep, newest id first, and how many in all.
    The page reads by the primary key; the count is one indexed aggregate."""
    check_page(limit, offset)
    where, params = _where(store, filters)
    run = store.query
    total = int(run(f"SELECT COUNT(*) FROM texts t WHERE {where}", params)[0][0])
    span_count = "(SELECT COUNT(*) FROM spans s WHERE s.text_id = t.id"
    span_params: list[Any] = []
    if filters.detector:
        sql, span_params = store.detector_condition(
            "s.detector", filters.detector)
        span_count += f" AND {sql}"
    span_count += ")"
    rows = run(
        f"SELECT t.id, t.title, (SELECT u.url FROM urls u WHERE u.text_id = t.id"
        f" ORDER BY u.id LIMIT 1), o.name, t.published, {span_count}"
        f" FROM texts t LEFT JOIN outlets o ON o.id = t.outlet_id WHERE {where}"
        " ORDER BY t.id DESC LIMIT ? OFFSET ?",
        [*span_params, *params, limit, offset],
    )
    return DocumentPage(total, offset, limit, [
        DocumentRow(int(r[0]), r[1], r[2], r[3], as_date(r[4]), int(r[5])) for r in rows
    ])


def text_ids(store: Store, filters: Filters, *, page: int = 500) -> Any:
    """Every id ``filters`` keep, in id order, read ``page`` at a time (for exports)."""
    where, params = _where(store, filters)
    after = 0
    while True:
        rows = store.query(
            f"SELECT t.id FROM texts t WHERE {where} AND t.id > ? ORDER BY t.id LIMIT ?",
            [*params, after, page])
        if not rows:
            return
        ids = [int(r[0]) for r in rows]
        yield from ids
        after = ids[-1]


@dataclass(frozen=True, slots=True)
class Facet:
    value: str
    label: str
    count: int


def facets(store: Store, filters: Filters, *, top: int = 30,
           period: str = "month") -> dict[str, list[Facet]]:
    """Counts of texts by outlet, section, technique, detector and ``period`` of
    publication (``day``, ISO ``week`` or ``month``: the key is the period's name,
    which is also its filter's), within ``filters`` (so a reader sees how the current
    selection splits).  A text counts once in a section however many of its URLs were filed
    there, and once in each section it was filed under."""
    where, params = _where(store, filters)
    run = store.query
    outlet = [Facet(r[0], r[0], int(r[1])) for r in run(
        "SELECT o.name, COUNT(*) FROM texts t JOIN outlets o ON o.id = t.outlet_id"
        f" WHERE {where} GROUP BY o.name ORDER BY COUNT(*) DESC, o.name LIMIT ?",
        [*params, top])]
    # Spans and analyses are restricted to the selection's ids computed once (an IN
    # subquery), not by a join that re-tests the filters on every span row.
    inside = f"IN (SELECT t.id FROM texts t WHERE {where})" if filters.active() else None
    span_where, span_params = ["1 = 1"], []
    if inside:
        span_where.append(f"s.text_id {inside}")
        span_params += params
    if filters.detector:
        sql, patterns = store.detector_condition(
            "s.detector", filters.detector)
        span_where.append(sql)
        span_params += patterns
    sections = [Facet(r[0], r[0], int(r[1])) for r in run(
        "SELECT u.section, COUNT(DISTINCT u.text_id) FROM urls u"
        " WHERE u.section IS NOT NULL AND u.section <> ''"
        f"{f' AND u.text_id {inside}' if inside else ''}"
        " GROUP BY u.section ORDER BY COUNT(DISTINCT u.text_id) DESC, u.section LIMIT ?",
        [*(params if inside else []), top])]
    techniques = []
    for name, count in run(
        "SELECT s.technique, COUNT(DISTINCT s.text_id) FROM spans s"
        f" WHERE {' AND '.join(span_where)}"
        " GROUP BY s.technique ORDER BY COUNT(DISTINCT s.text_id) DESC, s.technique",
        span_params):
        known = TECHNIQUES_BY_NAME.get(name or "")
        techniques.append(Facet(name or "", known.display if known else "(unnamed)",
                                int(count)))
    detectors = [Facet(r[0], r[0], int(r[1])) for r in run(
        "SELECT a.detector, COUNT(*) FROM analyses a"
        f" WHERE {f'a.text_id {inside}' if inside else '1 = 1'}"
        " GROUP BY a.detector ORDER BY COUNT(*) DESC, a.detector",
        params if inside else [])]
    return {"outlet": outlet, "section": sections, "technique": techniques,
            "detector": detectors, period: dated(store, where, params, period)}


def dated(store: Store, where: str, params: list[Any], period: str) -> list[Facet]:
    """Texts per day, ISO week or month, oldest first.  The database counts per day
    (one row a day published) and the days are folded here, so both databases give
    the same weeks whatever their own week functions say."""
    check_period(period)
    counts: Counter[str] = Counter()
    for published, count in store.query(
            f"SELECT t.published, COUNT(*) FROM texts t WHERE {where}"
            " AND t.published IS NOT NULL GROUP BY t.published", params):
        day = as_date(published)
        if day is not None:
            counts[period_of(day, period)] += int(count)
    return [Facet(key, key, counts[key]) for key in sorted(counts)]


@dataclass(frozen=True, slots=True)
class Example:
    text_id: int
    title: str | None
    start: int
    end: int
    score: float
    detector: str
    text: str


def strongest(store: Store, technique_name: str, *, detector: str | None = None,
              limit: int = 20) -> list[Example]:
    """The highest-scoring spans of one technique across the corpus, with their text
    (cut out by the database, so no whole document is read)."""
    only, only_params = "", []
    if detector:
        only, only_params = store.detector_condition(
            "s.detector", detector)
        only = f" AND {only}"
    rows = store.query(
        "SELECT s.text_id, t.title, s.start_char, s.end_char, s.score, s.detector,"
        " SUBSTR(t.text, s.start_char + 1, s.end_char - s.start_char)"
        f" FROM spans s JOIN texts t ON t.id = s.text_id WHERE s.technique = ?{only}"
        " ORDER BY s.score DESC, s.text_id, s.start_char LIMIT ?",
        [technique_name, *only_params, limit])
    return [Example(int(r[0]), r[1], int(r[2]), int(r[3]), float(r[4]), r[5], r[6])
            for r in rows]


# Same passage elsewhere ----------------------------------------------------------
#
# The analytics layer's ``reuse`` stage keeps, per text, a MinHash of each passage
# (``propscope report`` writes them to ``analytics_facts``); its aggregate groups the
# passages of every text.  A document page needs the groups its text is in, so the
# groups of the whole store are aggregated once, indexed by text, and kept until the
# stored reuse rows change.  Nothing here reads a text for the stage or writes a row:
# a store never reported on, or reported on by another version, has nothing to show.

REPORT_FIX = "run: propscope report --db <this database>"
_REUSE_CACHE: OrderedDict[tuple[Any, ...], dict[int, list[dict[str, Any]]]] = OrderedDict()
_REUSE_LOCK = threading.Lock()


@functools.cache
def _reuse_version() -> str:
    """The version the default ``propscope report`` writes reuse rows under (the
    stage reads no spans, so no detector is part of it)."""
    return version(STAGES["reuse"], load_lexicon(), None)


@dataclass(frozen=True, slots=True)
class Copy:
    text_id: int
    title: str | None
    day: str | None
    lag_days: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.text_id, "title": self.title, "day": self.day,
                "lag_days": self.lag_days}


@dataclass(frozen=True, slots=True)
class SharedPassage:
    """A passage of one document found in others: where it is in this document, the
    group's first appearance (maybe this document) and every other document with it."""

    start: int
    end: int
    kind: str  # "reused", or "same story" when the texts share most of their passages
    first: Copy
    elsewhere: list[Copy]

    def to_dict(self, text: str) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": text[self.start:self.end],
                "kind": self.kind, "first_appearance": self.first.to_dict(),
                "elsewhere": [c.to_dict() for c in self.elsewhere]}


def shared_passages(store: Store, text_id: int) -> list[SharedPassage] | None:
    """The passages of ``text_id`` that other stored documents carry, in text order;
    ``None`` when the reuse stage has not run on this store (see :data:`REPORT_FIX`)."""
    groups = _reuse_groups(store)
    if groups is None:
        return None
    mine = groups.get(text_id, [])
    others = {c["text_id"] for g in mine for c in [g["first"], *g["copies_at"]]}
    titles = FactTable(store).titles(sorted(others))  # the table is there: a read
    found = []
    for group in mine:
        copies = [group["first"], *group["copies_at"]]
        here = next(c for c in copies if c["text_id"] == text_id)
        first = group["first"]
        found.append(SharedPassage(
            here["start"], here["end"], group["kind"],
            Copy(first["text_id"], titles.get(first["text_id"]), first["day"]),
            [Copy(c["text_id"], titles.get(c["text_id"]), c["day"], c.get("lag_days"))
             for c in copies if c["text_id"] != text_id]))
    found.sort(key=lambda p: (p.start, p.end))
    return found


def _reuse_groups(store: Store) -> dict[int, list[dict[str, Any]]] | None:
    """Every reuse group of the store, by each text in it; cached per state of the
    stored reuse rows (their count, last text and newest version)."""
    if not FactTable.exists_in(store):
        return None
    current = _reuse_version()
    count, last = store.query(
        f"SELECT COUNT(*), MAX(text_id) FROM {FACTS} WHERE stage = ? AND version = ?",
        ["reuse", current])[0]
    if not count:
        return None
    key = (id(store), store.url, current, int(count), int(last))
    with _REUSE_LOCK:  # one aggregation at a time: the second reader waits, then hits
        if key in _REUSE_CACHE:
            _REUSE_CACHE.move_to_end(key)
            return _REUSE_CACHE[key]
        by_text: dict[int, list[dict[str, Any]]] = {}
        for group in reuse.aggregate(FactTable(store).facts("reuse", current), top=sys.maxsize):
            for text in {c["text_id"] for c in [group["first"], *group["copies_at"]]}:
                by_text.setdefault(text, []).append(group)
        _REUSE_CACHE[key] = by_text
        while len(_REUSE_CACHE) > 4:
            _REUSE_CACHE.popitem(last=False)
        return by_text

