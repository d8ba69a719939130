"""The one place analytics touches SQL: per-text results kept beside the store's tables.

Why its own table and not a migration: analytics is a read-side layer; what it derives
is a cache of the texts (rebuilt from them at any time), so it lives in one table of
its own, ``analytics_facts``, made with ``CREATE TABLE IF NOT EXISTS`` on first use
and dropped without loss.  A row is one text's result of one *stage* ("leaders",
"targets", "slogans", "reuse") at one *version* (the code's and the lexicon's): a rerun
reads only the texts without a row of the current version, which is what makes every
stage incremental.  Aggregates are computed from these rows when a report is made:
one pass, linear in the rows.

It goes through the store's public SQL seam (``?`` placeholders both backends
translate): :meth:`Store.query <propscope.store.base.Store.query>` to read,
:meth:`Store.transaction <propscope.store.base.Store.transaction>` to write its own
table and :meth:`Store.refresh_statistics`; it reads the store's ``texts``,
``outlets``, ``urls``, ``analyses`` and ``spans`` tables and writes only its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from propscope.errors import StoreError
from propscope.store.base import Store
from propscope.store.sql import as_date

TABLE = "analytics_facts"

_CREATE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} ("
    " stage TEXT NOT NULL, text_id INTEGER NOT NULL, version TEXT NOT NULL,"
    " published TEXT, outlet TEXT, data TEXT NOT NULL,"
    " PRIMARY KEY (stage, text_id))"
)


@dataclass(slots=True)
class TextRow:
    """What a stage reads of one text."""

    text_id: int
    text: str
    title: str | None
    published: date | None
    outlet: str | None
    section: str | None = None
    spans: list[tuple[int, int, str | None]] = field(default_factory=list)


@dataclass(slots=True)
class Fact:
    text_id: int
    published: date | None
    outlet: str | None
    data: Any


class FactTable:
    """Per-text stage results in the store's database (see the module docstring)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._create()

    def _create(self) -> None:
        """Make the table unless it is there: a read first, so a reader that never
        writes (``--read-only`` serving, a query-only connection) needs no write lock."""
        if not self.exists_in(self.store):
            with self.store.transaction() as db:
                db.execute(_CREATE)

    @staticmethod
    def exists_in(store: Store) -> bool:
        """Whether ``store`` has the table (one never reported on has none)."""
        try:
            store.query(f"SELECT 1 FROM {TABLE} LIMIT 1")
        except StoreError:
            return False
        return True

    def todo(
        self, stage: str, version: str, *, after: int = 0, limit: int = 500,
        detector: str | None = None, analysed_only: bool = True,
    ) -> tuple[list[TextRow], int | None]:
        """The texts among the next ``limit`` ids above ``after`` without a current
        ``stage`` row (with ``detector``: each with that detector's spans, and with
        ``analysed_only`` only the texts it analysed), and the last id looked at
        (``None``: no texts left).  A page of ids is read first, with the row each has,
        by primary key; then the texts that need reading: every text is looked at once
        a run, whatever the database's planner thinks of the table's size."""
        checks = ["f.version"]
        params: list[Any] = []  # in the order of the placeholders: select list first
        if detector is not None and analysed_only:
            checks.append("(SELECT 1 FROM analyses a WHERE a.text_id = ids.id"
                          " AND a.detector = ?)")
            params.append(detector)
        page = self.store.query(
            f"SELECT ids.id, {', '.join(checks)} FROM"
            " (SELECT id FROM texts WHERE id > ? ORDER BY id LIMIT ?) ids"
            f" LEFT JOIN {TABLE} f ON f.stage = ? AND f.text_id = ids.id ORDER BY ids.id",
            (*params, after, limit, stage),
        )
        if not page:
            return [], None
        wanted = [int(r[0]) for r in page
                  if r[1] != version and (len(r) < 3 or r[2] is not None)]
        return self._rows(wanted, detector), int(page[-1][0])

    def _rows(self, ids: list[int], detector: str | None) -> list[TextRow]:
        if not ids:
            return []
        marks = ", ".join("?" * len(ids))
        rows = self.store.query(
            "SELECT t.id, t.text, t.title, t.published, o.name,"
            " (SELECT u.section FROM urls u WHERE u.text_id = t.id ORDER BY u.id LIMIT 1)"
            " FROM texts t LEFT JOIN outlets o ON o.id = t.outlet_id"
            f" WHERE t.id IN ({marks}) ORDER BY t.id",
            ids,
        )
        found = [TextRow(int(r[0]), r[1], r[2], as_date(r[3]), r[4], r[5]) for r in rows]
        if detector is not None and found:
            by_id = {row.text_id: row for row in found}
            for text_id, start, end, technique in self.store.query(
                "SELECT text_id, start_char, end_char, technique FROM spans"
                f" WHERE detector = ? AND text_id IN ({marks}) ORDER BY text_id, start_char",
                (detector, *ids),
            ):
                by_id[int(text_id)].spans.append((int(start), int(end), technique))
        return found

    def save(self, stage: str, version: str, rows: Sequence[tuple[TextRow, Any]]) -> None:
        """Store one batch of results in one transaction, replacing older versions."""
        if not rows:
            return
        with self.store.transaction() as db:
            db.executemany(
                f"INSERT INTO {TABLE} (stage, text_id, version, published, outlet, data)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (stage, text_id) DO UPDATE SET"
                " version = excluded.version, published = excluded.published,"
                " outlet = excluded.outlet, data = excluded.data",
                [(stage, row.text_id, version,
                  row.published.isoformat() if row.published else None, row.outlet,
                  json.dumps(data, ensure_ascii=False, separators=(",", ":")))
                 for row, data in rows],
            )

    def refresh_statistics(self) -> None:
        """PostgreSQL plans the next run's "which texts are new" query from table
        statistics; right after a bulk write autovacuum has not counted the rows yet,
        and a plan made for an empty table rescans it for every text.  SQLite reads
        the primary key either way."""
        self.store.refresh_statistics(TABLE)

    def facts(
        self, stage: str, version: str, *, since: date | None = None,
        outlet: str | None = None, page: int = 2000,
    ) -> Iterator[Fact]:
        """Every current ``stage`` row in text-id order, read ``page`` at a time."""
        where = "stage = ? AND version = ? AND text_id > ?"
        extra: list[Any] = []
        if since is not None:
            where += " AND published >= ?"
            extra.append(since.isoformat())
        if outlet is not None:
            where += " AND outlet = ?"
            extra.append(outlet)
        after = 0
        while True:
            rows = self.store.query(
                f"SELECT text_id, published, outlet, data FROM {TABLE} WHERE {where}"
                " ORDER BY text_id LIMIT ?",
                (stage, version, after, *extra, page),
            )
            if not rows:
                return
            for text_id, published, name, data in rows:
                yield Fact(int(text_id), as_date(published), name, json.loads(data))
            after = int(rows[-1][0])

    def volume(self, *, since: date | None = None, outlet: str | None = None
               ) -> list[tuple[date | None, str | None, int]]:
        """``(published, outlet, text id)`` of every stored text: the denominators of
        trends (the id places an undated text: see :func:`aggregate.trend_period`)."""
        where, params = ["1 = 1"], []
        if since is not None:
            where.append("t.published >= ?")
            params.append(self.store.date_param(since))
        if outlet is not None:
            where.append("o.name = ?")
            params.append(outlet)
        rows = self.store.query(
            "SELECT t.published, o.name, t.id FROM texts t"
            f" LEFT JOIN outlets o ON o.id = t.outlet_id WHERE {' AND '.join(where)}", params,
        )
        return [(as_date(p), o, int(i)) for p, o, i in rows]

    def text(self, text_id: int) -> str | None:
        rows = self.store.query("SELECT text FROM texts WHERE id = ?", (text_id,))
        return rows[0][0] if rows else None

    def titles(self, ids: Sequence[int]) -> dict[int, str | None]:
        if not ids:
            return {}
        found: dict[int, str | None] = {}
        unique = list(dict.fromkeys(ids))
        for i in range(0, len(unique), 500):
            part = unique[i:i + 500]
            marks = ", ".join("?" * len(part))
            for text_id, title in self.store.query(
                f"SELECT id, title FROM texts WHERE id IN ({marks})", part
            ):
                found[int(text_id)] = title
        return found
