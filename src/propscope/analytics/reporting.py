"""``report(store)``: bring the per-text results up to date, then aggregate them.

The report is plain data (:meth:`Report.to_dict` is the JSON of ``propscope report
--format json``); :func:`propscope.analytics.html.render_html` draws the same data as
one offline page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from propscope.analytics import aggregate, reuse, slogans, trends
from propscope.analytics.db import FactTable
from propscope.analytics.lexicon import Lexicon, load_lexicon
from propscope.analytics.stages import STAGES, update, version
from propscope.store.base import Store


@dataclass(slots=True)
class Report:
    """What a corpus says about its leaders, targets, slogans, reuse and trends."""

    meta: dict[str, Any]
    people: list[dict[str, Any]] = field(default_factory=list)
    appearances: list[dict[str, Any]] = field(default_factory=list)
    officials: list[dict[str, Any]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    slogans: dict[str, Any] = field(default_factory=dict)
    reuse: list[dict[str, Any]] = field(default_factory=list)
    trends: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "meta": self.meta,
            "people": self.people,
            "appearances": self.appearances,
            "officials": self.officials,
            "targets": self.targets,
            "slogans": self.slogans,
            "reuse": self.reuse,
            "trends": self.trends,
        }


def report(
    store: Store,
    since: date | None = None,
    outlet: str | None = None,
    *,
    lexicon: Lexicon | Sequence[str | Path] | None = None,
    detector: str | None = None,
    refresh: bool = True,
    progress: Callable[[str, int], None] | None = None,
) -> Report:
    """The corpus report of ``store`` (texts published on or after ``since``, of
    ``outlet``).  With ``refresh`` (the default) the texts not read yet are read first
    (incremental: a rerun reads only new texts).  ``detector`` picks whose spans give
    the targets (default: the most recently used); ``lexicon`` is a loaded
    :class:`Lexicon` or the country files to load (default: the bundled DPRK file)."""
    if not isinstance(lexicon, Lexicon):
        lexicon = load_lexicon(lexicon)
    if detector is None:
        used = store.detectors()
        detector = used[0] if used else None
    table = FactTable(store)
    read = update(table, lexicon, detector=detector, progress=progress) if refresh else {}

    def facts(name: str) -> Any:
        current = version(STAGES[name], lexicon, detector)
        return table.facts(name, current, since=since, outlet=outlet)

    people, appearances = aggregate.leaders(facts("leaders"), lexicon)
    result = Report(
        meta={
            "since": since.isoformat() if since else None,
            "outlet": outlet,
            "detector": detector,
            "countries": list(lexicon.countries),
            "lexicon_version": lexicon.version,
            "texts_read_now": read,
        },
        people=people,
        appearances=appearances,
        officials=aggregate.officials(appearances),
        targets=aggregate.targets(facts("targets")) if detector else [],
    )
    # New and rising need the time before ``since``: slogans read every period.
    everything = table.facts("slogans", version(STAGES["slogans"], lexicon, detector),
                             outlet=outlet)
    result.slogans = slogans.aggregate(everything, lexicon, since=since)
    result.reuse = reuse.aggregate(facts("reuse"), table)
    result.trends = _trends(result, table, lexicon, detector, since, outlet)
    result.meta["change_points"] = ("ruptures (PELT, l2)" if trends.ruptures_available()
                                    else "unavailable: install ruptures")
    return result


TRENDS_PER_KIND = 4


def _trends(result: Report, table: FactTable, lexicon: Lexicon, detector: str | None,
            since: date | None, outlet: str | None) -> list[dict[str, Any]]:
    """Monthly shares of the most frequent leaders, targets, techniques and slogans, per
    outlet when the store holds several and the report names none (each normalised by
    its own outlet's volume)."""
    rows = table.volume(since=since, outlet=outlet)
    outlets = sorted({name or "" for _, name, _ in rows})
    split = outlet is None and len(outlets) > 1
    changes = trends.ruptures_available()
    names = {p.id: p.name for p in lexicon.people}
    found: list[dict[str, Any]] = []
    kinds: list[tuple[str, str, Callable[[Any], list[str]]]] = [
        ("leader", "leaders", lambda f: [m["person"] for m in f.data["mentions"]])]
    if detector:
        kinds += [("target", "targets", lambda f: [a["target"] for a in f.data["attacks"]]),
                  ("technique", "targets", lambda f: list(f.data["techniques"]))]
    for one in (outlets if split else [outlet]):
        volume = Counter(aggregate.trend_period(day, i) for day, name, i in rows
                         if not split or (name or "") == one)
        prefix = f"{one or 'no outlet'} · " if split else ""
        for kind, stage, items in kinds:
            current = version(STAGES[stage], lexicon, detector)
            carriers = trends.carriers_of(
                table.facts(stage, current, since=since,
                            outlet=(one or None) if split else outlet),
                items)
            found += trends.series(trends.top(carriers, TRENDS_PER_KIND), volume,
                                   kind=kind, names=names, with_changes=changes, prefix=prefix)
    slogan_carriers = {}
    for row in result.slogans.get("top", [])[:TRENDS_PER_KIND]:
        slogan_carriers[row["text"]] = row["text_ids_by_month"]
    for key in ("top", "new", "rising"):
        for row in result.slogans.get(key, []):
            row.pop("text_ids_by_month", None)
    everything = Counter(aggregate.trend_period(day, i) for day, _, i in rows)
    found += trends.series(slogan_carriers, everything, kind="slogan", with_changes=changes)
    return found
