"""PostgreSQL: the same store for many writers and large archives, opened by URL.

Why these choices: connections in autocommit mode, one writer with an explicit
``transaction()`` per write, so a write is exactly one transaction as in SQLite, and
a reader per thread (see :class:`~propscope.store.sql.SqlStore`); migrations take an
advisory lock, so two processes opening a fresh database do not both create it;
search is a generated, GIN-indexed ``tsvector`` (title weighted above text) queried
with ``phraseto_tsquery`` terms that :mod:`propscope.store.query` combines, so a query
means what it means on SQLite.  psycopg is an optional dependency
(``pip install 'propscope[postgres]'``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from propscope.errors import StoreError
from propscope.store.base import SearchHit
from propscope.store.dedup import redact
from propscope.store.query import Query
from propscope.store.sql import SqlStore, as_date

_MIGRATION_LOCK = 0x70_72_6F_70  # "prop": any constant shared by every propscope process


@lru_cache(maxsize=256)
def _pg(sql: str) -> str:
    """``?`` placeholders as psycopg's ``%s`` (a literal ``%`` doubled first)."""
    return sql.replace("%", "%%").replace("?", "%s")


class PostgresStore(SqlStore):
    dialect = "postgres"
    _driver_name = "PostgreSQL"

    def __init__(self, url: str) -> None:
        try:
            import psycopg
            from psycopg.types.json import Jsonb
        except ImportError as exc:
            raise StoreError(
                "PostgreSQL needs the psycopg package",
                fix="pip install 'propscope[postgres]'",
            ) from exc
        self._driver_errors = (psycopg.Error,)
        self._jsonb = Jsonb
        self.url = url
        self._psycopg = psycopg
        self._prepare(self._connect(reader=False))

    def _connect(self, *, reader: bool) -> Any:
        try:
            return self._psycopg.connect(self.url, autocommit=True)
        except self._psycopg.Error as exc:
            raise StoreError(
                f"cannot connect to PostgreSQL at {redact(self.url)}: {exc}".strip(),
                fix="check the URL, that the server runs, and the user's rights",
            ) from exc

    @contextmanager
    def _begin(self) -> Iterator[None]:
        try:
            with self._writer.transaction():
                yield
        except self._driver_errors as exc:
            raise StoreError(f"PostgreSQL: {exc}") from exc

    def _sql(self, sql: str) -> str:
        return _pg(sql)

    def _run_script(self, sql: str) -> None:
        try:
            self._conn.execute(sql)  # no parameters: several statements are allowed
        except self._driver_errors as exc:
            raise StoreError(f"PostgreSQL migration failed: {exc}") from exc

    def _lock_schema(self) -> None:
        self._execute("SELECT pg_advisory_xact_lock(?)", (_MIGRATION_LOCK,))

    def _json(self, value: Any) -> Any:
        return self._jsonb(value)

    _contains = "strpos({}, ?) > 0"

    def _search_stemmed(self, query: Query, limit: int, offset: int) -> tuple[int, list[SearchHit]]:
        expr, params = query.tsquery()
        total = self._execute(
            f"SELECT COUNT(*) FROM texts t WHERE t.tsv @@ ({expr})", params
        ).fetchone()[0]
        rows = self._execute(
            "SELECT t.id, t.title,"
            " (SELECT u.url FROM urls u WHERE u.text_id = t.id ORDER BY u.id LIMIT 1),"
            " t.published,"
            " ts_headline('english', t.text, q.q, 'StartSel=[, StopSel=], MaxFragments=2,"
            " MaxWords=24, MinWords=8, FragmentDelimiter=\" … \"'),"
            " ts_rank(t.tsv, q.q) AS r"
            f" FROM texts t, (SELECT {expr} AS q) q"
            " WHERE t.tsv @@ q.q ORDER BY r DESC, t.id LIMIT ? OFFSET ?",
            (*params, limit, offset),
        ).fetchall()
        return int(total), [
            SearchHit(int(r[0]), r[1], r[2], as_date(r[3]), r[4], float(r[5])) for r in rows
        ]
