"""Outlets: what each publishes and how much of it carries each technique.

A technique's *share* in an outlet is the share of the outlet's analysed documents with
at least one span of it, for the reason :mod:`propscope.web.timeseries` gives: counts
follow volume, shares compare.  Read through the store's public read seam.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from propscope.store.base import Store
from propscope.store.sql import as_date
from propscope.techniques import TECHNIQUES_BY_NAME


@dataclass(frozen=True, slots=True)
class OutletRow:
    name: str
    documents: int
    first: date | None
    last: date | None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "documents": self.documents,
                "first": self.first.isoformat() if self.first else None,
                "last": self.last.isoformat() if self.last else None}


@dataclass(frozen=True, slots=True)
class Share:
    technique: str
    display: str
    slug: str
    documents: int
    share: float

    def to_dict(self) -> dict[str, Any]:
        return {"technique": self.technique, "display": self.display,
                "documents": self.documents, "share": round(self.share, 6)}


@dataclass(slots=True)
class OutletSummary:
    outlet: OutletRow
    analysed: int
    shares: list[Share] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {**self.outlet.to_dict(), "analysed": self.analysed,
                "techniques": [s.to_dict() for s in self.shares]}


def outlets(store: Store, *, limit: int = 500) -> list[OutletRow]:
    """Every outlet with its document count and date range, largest first."""
    rows = store.query(
        "SELECT o.name, COUNT(t.id), MIN(t.published), MAX(t.published) FROM outlets o"
        " JOIN texts t ON t.outlet_id = o.id GROUP BY o.name"
        " ORDER BY COUNT(t.id) DESC, o.name LIMIT ?", [limit])
    return [OutletRow(r[0], int(r[1]), as_date(r[2]), as_date(r[3])) for r in rows]


def outlet(store: Store, name: str) -> OutletRow | None:
    rows = store.query(
        "SELECT o.name, COUNT(t.id), MIN(t.published), MAX(t.published) FROM outlets o"
        " LEFT JOIN texts t ON t.outlet_id = o.id WHERE o.name = ? GROUP BY o.name", [name])
    return OutletRow(rows[0][0], int(rows[0][1]), as_date(rows[0][2]),
                     as_date(rows[0][3])) if rows else None


def technique_shares(store: Store, name: str | None, *,
                     detector: str | None = None) -> tuple[int, list[Share]]:
    """How many of outlet ``name``'s documents (every outlet's when None) were
    analysed (by ``detector`` when given), and per technique the share of those with
    a span of it, largest first."""
    texts = "SELECT t.id FROM texts t"
    params: list[Any] = []
    if name is not None:
        texts += " WHERE t.outlet_id = (SELECT id FROM outlets WHERE name = ?)"
        params.append(name)
    analysed_sql = f"SELECT COUNT(DISTINCT a.text_id) FROM analyses a WHERE a.text_id IN ({texts})"
    analysed_params = list(params)
    span_sql = ("SELECT s.technique, COUNT(DISTINCT s.text_id) FROM spans s"
                f" WHERE s.text_id IN ({texts})")
    span_params = list(params)
    if detector:
        cond, patterns = store.detector_condition("a.detector", detector)
        analysed_sql += f" AND {cond}"
        analysed_params += patterns
        cond, patterns = store.detector_condition("s.detector", detector)
        span_sql += f" AND {cond}"
        span_params += patterns
    analysed = int(store.query(analysed_sql, analysed_params)[0][0])
    shares = []
    for technique, count in store.query(
            span_sql + " GROUP BY s.technique ORDER BY 2 DESC, 1", span_params):
        known = TECHNIQUES_BY_NAME.get(technique or "")
        shares.append(Share(technique or "", known.display if known else "(unnamed)",
                            known.slug if known else "", int(count),
                            int(count) / analysed if analysed else 0.0))
    return analysed, shares


def summary(store: Store, name: str, *, detector: str | None = None) -> OutletSummary | None:
    found = outlet(store, name)
    if found is None:
        return None
    analysed, shares = technique_shares(store, name, detector=detector)
    return OutletSummary(found, analysed, shares)
