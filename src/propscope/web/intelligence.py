"""Corpus intelligence pages and ``GET /api/v1/intelligence`` over
:mod:`propscope.analytics`: leaders and their appearances, officials in order,
targets and their labels, slogans (new, rising), passages that travel, trends with
change points.

Reading never computes.  A GET aggregates the per-text results the analytics layer
already keeps in its table (``report(store, refresh=False)``): cheap, and safe for a
``--read-only`` server, which writes nothing at all.  Reading new texts is a write (the
``analytics_facts`` rows) and can take minutes, so it is an explicit action: ``propscope
report --db …`` on the command line, or the page's "Bring up to date" button (a CSRF-
checked POST, refused on a read-only server, run through the same bounded gate as
analyses so it answers 429 rather than queueing without end).  A store never reported
on says so and how to fill it, instead of an empty report.

Aggregating is linear in the stored rows; the result is kept per (since, outlet) until
the table changes (its row count, last id and newest version), so paging between the
sections does not aggregate again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from propscope.analytics import Report, report
from propscope.analytics.db import TABLE, FactTable
from propscope.store.base import Store
from propscope.web.charts import Line, Marker, line_chart
from propscope.web.corpus import Filters
from propscope.web.deps import StoreDep, ensure_writable
from propscope.web.errors import Busy, NotFound
from propscope.web.render import page
from propscope.web.security import check_csrf

pages = APIRouter(include_in_schema=False)
api = APIRouter(tags=["api"])

SECTIONS = {"leaders": "Leaders and appearances", "targets": "Targets of attack",
            "slogans": "Slogans and formulas", "reuse": "Passages that travel",
            "trends": "Trends and change points"}

Since = Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD")]
Outlet = Annotated[str | None, Query(max_length=300, description="An outlet's name.")]


class NotComputed(NotFound):
    """No report has been made on this store yet (404: there is nothing to show)."""

    fix = "run: propscope report --db <this database>"


_CACHE_SIZE = 8
_cache: OrderedDict[tuple[Any, ...], Report] = OrderedDict()
_cache_lock = threading.Lock()
_refreshing = threading.Lock()


def _state(store: Store) -> tuple[Any, ...] | None:
    """What changes when the facts table does; None when there is no table."""
    if not FactTable.exists_in(store):
        return None
    return tuple(store.query(f"SELECT COUNT(*), MAX(text_id), MAX(version) FROM {TABLE}")[0])


def stored_report(store: Store, since: date | None, outlet: str | None) -> Report:
    """The report over what the analytics table holds (never reading new texts)."""
    state = _state(store)
    if state is None or not state[0]:
        raise NotComputed("no corpus report has been made on this store yet")
    key = (id(store), store.url, since, outlet, state)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    found = report(store, since, outlet, refresh=False)
    with _cache_lock:
        _cache[key] = found
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return found


def _scope(since: str | None, outlet: str | None) -> tuple[date | None, str | None]:
    checked = Filters.parse(since=since, outlet=outlet)
    return checked.since, checked.outlet


@api.get("/intelligence", summary="The corpus report: leaders, targets, slogans, reuse, trends")
def intelligence_api(store: StoreDep, since: Since = None,
                     outlet: Outlet = None) -> dict[str, Any]:
    """``Report.to_dict()`` of :mod:`propscope.analytics` over the results already
    stored (404 when no report was ever made: run ``propscope report``)."""
    return stored_report(store, *_scope(since, outlet)).to_dict()


@pages.get("/intelligence")
def overview(request: Request, store: StoreDep, since: Since = None,
             outlet: Outlet = None) -> Response:
    return section(request, store, "overview", since, outlet)


@pages.get("/intelligence/{name}")
def section_page(request: Request, store: StoreDep, name: str, since: Since = None,
                 outlet: Outlet = None) -> Response:
    if name not in SECTIONS:
        raise NotFound(f"no section {name!r}", fix="see /intelligence")
    return section(request, store, name, since, outlet)


def section(request: Request, store: Store, name: str, since: str | None,
            outlet: str | None) -> Response:
    day, only = _scope(since, outlet)
    scope = {k: v for k, v in (("since", since), ("outlet", outlet)) if v}
    try:
        found = stored_report(store, day, only)
    except NotComputed:
        return page(request, "intelligence.html", {
            "section": name, "sections": SECTIONS, "found": None, "scope": scope})
    return page(request, "intelligence.html", {
        "section": name, "sections": SECTIONS, "found": found, "scope": scope,
        "charts": _charts(found, name),
    })


def _charts(found: Report, name: str) -> list[Any]:
    """The section's SVG charts (each with the same numbers in a table on the page)."""
    if name == "leaders":
        people = found.people[:4]
        months = sorted({m for p in people for m in p["by_month"]})
        lines = [Line(p["name"], [p["by_month"].get(m) for m in months]) for p in people]
        apps: dict[str, int] = {}
        for a in found.appearances:
            month = a["day"][:7] if a["day"] else "undated"  # as aggregate.officials does
            apps[month] = apps.get(month, 0) + 1
        months_a = sorted(set(apps) | set(months))  # a month without one is a 0
        charts = []
        if months:
            charts.append(line_chart(months, lines, percent=False,
                                     title="Mentions of each leader by month"))
        if apps:
            charts.append(line_chart(months_a, [Line("appearances",
                                                      [apps.get(m, 0) for m in months_a])],
                                     percent=False, title="Reported appearances by month"))
        return charts
    if name == "targets":
        top = found.targets[:5]
        months = sorted({m for t in top for m in t["by_month"]})
        return [line_chart(months, [Line(t["target"], [t["by_month"].get(m, 0) for m in months])
                                    for t in top], percent=False,
                           title="Attacks on each target by month")] if months else []
    if name == "trends":
        charts = []
        for trend in found.trends:
            months = sorted(k for k in trend["share_by_month"] if k != "undated")
            if not months:
                continue
            marks = [Marker(c["period"], f"change at {c['period']}: {c['before']:.1%} → "
                            f"{c['after']:.1%}") for c in trend["change_points"]]
            charts.append(line_chart(
                months, [Line(trend["name"], [trend["share_by_month"][m] for m in months])],
                title=f"{trend['name']}: share of texts by month", markers=marks,
                height=200))
        return charts
    return []


@pages.post("/intelligence/refresh")
async def refresh(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    """Read the texts the analytics table lacks, then show the report (see the module
    docstring: refused on a read-only server, bounded like analyses)."""
    ensure_writable(request, "the report cannot be brought up to date",
                    fix="run propscope report --db … on a writable copy")
    check_csrf(request, csrf)
    if not _refreshing.acquire(blocking=False):
        raise Busy("the report is being brought up to date already")
    try:
        store = request.app.state.store
        await run_in_threadpool(request.app.state.gate.run, report, store)
    finally:
        _refreshing.release()
    return RedirectResponse("/intelligence", status_code=303)
