"""SQLite: the default store, one file beside the user's work.

Why these settings: WAL lets readers (``propscope search``, an export, a web
server's other requests on their own per-thread connections) run while a long ingest
writes; ``BEGIN IMMEDIATE`` takes the write lock at the start of each
transaction, so the one writer never fails half-way on a lock; ``synchronous=NORMAL``
in WAL mode loses at most the last commits on a power cut and nothing on a killed
process, which is what the SIGKILL test checks.  Search is an FTS5 index over title
and text, kept in step by triggers (see ``migrations/sqlite``).
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from propscope.errors import StoreError
from propscope.store.base import SearchHit
from propscope.store.query import Query
from propscope.store.sql import SqlStore, as_date

BUSY_TIMEOUT_S = 60.0

T = TypeVar("T")


def _busy(exc: sqlite3.Error) -> bool:
    """Whether ``exc`` is another connection holding a lock (worth waiting for)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)


def retry_busy(action: Callable[[], T], *, timeout: float | None = None) -> T:
    """``action()``, tried again with growing, jittered pauses while it fails because
    the database is locked, for up to ``timeout`` seconds.

    Why: the busy timeout does not cover everything.  Two processes creating the
    same new file race on the switch to WAL (it needs an exclusive lock, and SQLite
    answers "database is locked" at once rather than call a busy handler that could
    deadlock there): 5 of 30 trials failed before this retry.  ``timeout`` is
    :data:`BUSY_TIMEOUT_S` unless given."""
    deadline = time.monotonic() + (BUSY_TIMEOUT_S if timeout is None else timeout)
    pause = 0.005
    while True:
        try:
            return action()
        except (sqlite3.Error, StoreError) as exc:
            cause = exc if isinstance(exc, sqlite3.Error) else exc.__cause__
            if not isinstance(cause, sqlite3.Error) or not _busy(cause):
                raise
            if time.monotonic() + pause > deadline:
                raise
        time.sleep(pause * random.uniform(0.5, 1.5))
        pause = min(pause * 2, 0.5)


class SqliteStore(SqlStore):
    dialect = "sqlite"
    _driver_errors = (sqlite3.Error,)
    _driver_name = "SQLite"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.url = str(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            writer = retry_busy(lambda: self._connect(reader=False))
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(
                f"cannot open the SQLite database {self.path}: {exc}",
                fix="check the path and that the file is a propscope database",
            ) from exc
        self._prepare(writer)

    def _connect(self, *, reader: bool) -> sqlite3.Connection:
        # check_same_thread=False: the writer passes between threads under the write
        # lock, and a reader is closed by whichever thread ends it; each is used by
        # one thread at a time.
        conn = sqlite3.connect(
            self.path, isolation_level=None, timeout=BUSY_TIMEOUT_S, check_same_thread=False
        )
        try:
            if reader:
                conn.execute("PRAGMA query_only = ON")
            else:  # the first read: fails on a file that is not a database
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
                conn.execute("PRAGMA foreign_keys = ON")
        except BaseException:
            conn.close()
            raise
        return conn

    def _migrate(self) -> None:
        # Creating a new file races with any other process creating it: see retry_busy.
        retry_busy(super()._migrate)

    @contextmanager
    def _begin(self) -> Iterator[None]:
        self._execute("BEGIN IMMEDIATE")
        try:
            yield
            self._execute("COMMIT")
        except BaseException:
            # A failed COMMIT leaves the transaction open, and some errors (a full
            # disk, an I/O error) roll it back already: end it only when it is open.
            if self._writer.in_transaction:
                self._writer.execute("ROLLBACK")
            raise

    def _run_script(self, sql: str) -> None:
        # executescript() would commit the open transaction; run statement by statement
        # (sqlite3.complete_statement knows a trigger body's semicolons are not the end).
        statement = ""
        for line in sql.splitlines(keepends=True):
            statement += line
            if sqlite3.complete_statement(statement):
                self._execute(statement)
                statement = ""
        if statement.strip() and not all(
            part.strip().startswith("--") or not part.strip() for part in statement.splitlines()
        ):
            raise StoreError(f"unterminated statement in a migration: {statement[:80]!r}")

    # LIKE folds ASCII case in SQLite (not in PostgreSQL); GLOB does not, and a
    # detector pattern holds no GLOB character but the "%" turned into "*".
    _like = "{} GLOB ?"

    def _like_pattern(self, pattern: str) -> str:
        return pattern.replace("%", "*")

    def _time(self, value: datetime) -> Any:
        return value.isoformat()

    def _date(self, value: date | None) -> Any:
        return value.isoformat() if value is not None else None

    def _search_stemmed(self, query: Query, limit: int, offset: int) -> tuple[int, list[SearchHit]]:
        match = query.fts5()  # every word quoted: valid FTS5 whatever the user typed
        total = self._execute(
            "SELECT COUNT(*) FROM texts_fts WHERE texts_fts MATCH ?", (match,)
        ).fetchone()[0]
        rows = self._execute(
            "SELECT t.id, t.title,"
            " (SELECT u.url FROM urls u WHERE u.text_id = t.id ORDER BY u.id LIMIT 1),"
            " t.published, snippet(texts_fts, 1, '[', ']', ' … ', 16),"
            " bm25(texts_fts, 2.0, 1.0) AS r"
            " FROM texts_fts JOIN texts t ON t.id = texts_fts.rowid"
            " WHERE texts_fts MATCH ? ORDER BY r, t.id LIMIT ? OFFSET ?",
            (match, limit, offset),
        ).fetchall()
        return int(total), [
            SearchHit(int(r[0]), r[1], r[2], as_date(r[3]), r[4], -float(r[5])) for r in rows
        ]
