"""Storage: SQLite by default, PostgreSQL by URL, one interface (:class:`Store`).

>>> from propscope.store import open_store
>>> with open_store("news.db") as store:          # doctest: +SKIP
...     store.stats().texts
"""

from __future__ import annotations

import os
from pathlib import Path

from propscope.errors import StoreError
from propscope.store.base import (
    AddResult,
    SearchHit,
    SearchPage,
    Store,
    StoredText,
    StoreStats,
    UrlRecord,
)

DEFAULT_DB = "propscope.db"
"""Used when neither ``--db`` nor ``$PROPSCOPE_DB`` names a database."""


def default_db() -> str:
    """``$PROPSCOPE_DB`` when set, else ``./propscope.db``."""
    return os.environ.get("PROPSCOPE_DB") or DEFAULT_DB


def is_postgres_url(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def open_store(url_or_path: str | Path | None = None, *, create: bool = True) -> Store:
    """The store at ``url_or_path``: a ``postgresql://`` URL opens PostgreSQL, anything
    else (a path, or ``sqlite:///path``) an SQLite file, created when missing unless
    ``create`` is false (commands that only read refuse a mistyped path rather than
    answer from a new, empty database).  Migrations run on opening, so an older
    database is brought up to date."""
    target = str(url_or_path) if url_or_path is not None else default_db()
    if is_postgres_url(target):
        from propscope.store.postgres import PostgresStore

        return PostgresStore(target)
    from propscope.store.sqlite import SqliteStore

    target = target.removeprefix("sqlite:///")
    if not create and not Path(target).is_file():
        raise StoreError(f"no database at {target}",
                         fix="check --db, or store something first with `propscope ingest`")
    return SqliteStore(target)


__all__ = [
    "AddResult",
    "SearchHit",
    "SearchPage",
    "Store",
    "StoreStats",
    "StoredText",
    "UrlRecord",
    "default_db",
    "is_postgres_url",
    "open_store",
]
