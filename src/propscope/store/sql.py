"""The SQL both backends share; each backend adds only what its database does its own way.

Why shared: SQLite and PostgreSQL both speak ``INSERT … ON CONFLICT DO NOTHING
RETURNING``, so storing, deduplicating and reading are one piece of code, written
with ``?`` placeholders.  A backend supplies a connection, transactions, the value
shapes its driver wants for timestamps, dates and JSON, the migrations folder and
full-text search.  Uniqueness is enforced by the database (``texts.content_hash``,
``urls.canonical_url``, ``analyses(text_id, detector)``), never by a check in Python
alone, so two processes, or a process killed and started again, cannot store a text
twice.
"""

from __future__ import annotations

import json
import re
import threading
import weakref
from abc import abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from propscope.detect.base import DetectorRef
from propscope.errors import SearchQueryError, StoreError
from propscope.model import AnalysedDocument, Document, Provenance, Span
from propscope.store.base import (
    AddResult,
    FeedbackRecord,
    RunRecord,
    SearchHit,
    SearchPage,
    Store,
    StoredText,
    StoreStats,
    TokenRecord,
    UrlRecord,
    Writer,
)
from propscope.store.dedup import NearDuplicateIndex, canonical_url, signature
from propscope.store.query import Query, exact_matches, parse_query, snippet
from propscope.text.offsets import OffsetMap

_TEXT_COLUMNS = (
    "t.id, t.text, t.title,"
    " (SELECT u.url FROM urls u WHERE u.text_id = t.id ORDER BY u.id LIMIT 1),"
    " t.published, t.language, o.name, t.meta, t.raw_ref"
)
"""What :meth:`SqlStore._document` reads, before the offset map (or NULL) that ends a row."""


def migrations(dialect: str) -> list[tuple[int, str, str]]:
    """``(version, name, sql)`` of every migration file for ``dialect``, in order.
    Files are named ``NNNN_what.sql``; a new schema change is a new file, never an edit."""
    folder = resources.files("propscope.store") / "migrations" / dialect
    found = []
    for entry in folder.iterdir():
        name = Path(entry.name)
        if name.suffix == ".sql" and name.stem[:4].isdigit():
            found.append((int(name.stem[:4]), name.stem, entry.read_text(encoding="utf-8")))
    return sorted(found)


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def as_date(value: Any) -> date | None:
    """A date from what a driver returns (``date``, ``datetime`` or ISO text)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def load_json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def source_kind(locator: str) -> str:
    """A source's kind from its locator, when the loader did not say."""
    if locator == "-":
        return "stdin"
    scheme = urlsplit(locator).scheme.lower()
    if scheme in ("http", "https"):
        return "url"
    path = Path(locator)
    if path.is_dir():
        return "folder"
    return path.suffix.lower().lstrip(".") or "file"


def _meta_for_storage(doc: Document) -> dict[str, Any]:
    """The JSON-safe part of ``Document.meta``, with the document's provenance under
    ``"provenance"`` (its raw bytes and reference live in their own columns)."""
    kept = dict(doc.meta)
    provenance = doc.provenance.to_dict()
    provenance.pop("raw_ref", None)
    if provenance:
        kept["provenance"] = provenance
    return json.loads(json.dumps(kept, default=str))


# Provenance keys that rows stored before Provenance existed hold at the top of meta.
_OLD_PROVENANCE_KEYS = ("source", "item", "section", "record_id")


def _provenance_from_storage(meta: dict[str, Any], raw_ref: str | None) -> Provenance:
    """The :class:`Provenance` a stored row's meta holds (taken out of ``meta``)."""
    fields = meta.pop("provenance", None)
    if not isinstance(fields, dict):
        fields = {key: meta.pop(key) for key in _OLD_PROVENANCE_KEYS if key in meta}
    names = ("source", "kind", "item", "section", "record_id")
    kept = {k: str(v) for k, v in fields.items() if k in names and v is not None}
    return Provenance(**kept, raw_ref=raw_ref)


class _Reader:
    """A thread's read connection, closed when the thread ends (its thread-local
    holder is dropped) or when the store closes, whichever comes first."""

    __slots__ = ("__weakref__", "_finalizer", "conn")

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self._finalizer = weakref.finalize(self, conn.close)

    def close(self) -> None:
        self._finalizer()


_READ_ONLY = re.compile(r"\s*(?:SELECT|WITH)\b", re.IGNORECASE)


class _SqlWriter(Writer):
    """The statements of one :meth:`SqlStore.transaction`."""

    __slots__ = ("_store",)

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._store._execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._store._executemany(sql, rows)


class SqlStore(Store):
    """Everything but the dialect: see the module docstring."""

    dialect: str = ""

    # -- connections ------------------------------------------------------------------
    # One writer connection, used by one thread at a time under ``_write_lock`` for a
    # whole transaction, and one read connection per thread (datasette's model): a
    # web server's requests read in parallel, see only committed rows, and never land
    # inside another request's open transaction.  The id caches are read and written
    # only under the lock.
    _writer: Any

    def _start_connections(self, writer: Any) -> None:
        self._writer = writer
        self._write_lock = threading.RLock()
        self._local = threading.local()
        self._readers: weakref.WeakSet[_Reader] = weakref.WeakSet()
        self._readers_lock = threading.Lock()
        self._source_ids: dict[str, int] = {}
        self._outlet_ids: dict[str, int] = {}

    @abstractmethod
    def _connect(self, *, reader: bool) -> Any:
        """A new connection to the database (a reader need not be able to write)."""

    @property
    def _conn(self) -> Any:
        """The connection for this thread now: the writer inside a transaction, else
        the thread's own reader (opened on first use, closed when the thread ends)."""
        if getattr(self._local, "writing", False):
            return self._writer
        holder = getattr(self._local, "reader", None)
        if holder is None:
            holder = _Reader(self._connect(reader=True))
            with self._readers_lock:
                self._readers.add(holder)
            self._local.reader = holder
        return holder.conn

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction on the writer connection, other writers of this store
        waiting on the lock (and other processes on the database's own lock)."""
        with self._write_lock:
            if getattr(self._local, "writing", False):
                raise RuntimeError("a store transaction inside another is a bug")
            self._local.writing = True
            try:
                with self._begin():
                    yield
            except BaseException:
                # Rolled back: forget ids this transaction made, so nothing refers to them.
                self._source_ids.clear()
                self._outlet_ids.clear()
                raise
            finally:
                self._local.writing = False

    @abstractmethod
    def _begin(self) -> AbstractContextManager[None]:
        """Begin, commit or roll back one transaction on ``self._writer``."""

    # -- hooks each backend provides ---------------------------------------------------
    _driver_errors: tuple[type[BaseException], ...] = ()
    _driver_name = ""

    def _sql(self, sql: str) -> str:
        """``sql`` in the driver's placeholder style (written with ``?``)."""
        return sql

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement written with ``?`` placeholders; return the cursor.  Driver
        errors come back as :class:`~propscope.errors.StoreError` with the cause kept."""
        try:
            return self._conn.execute(self._sql(sql), params)
        except self._driver_errors as exc:
            raise StoreError(f"{self._driver_name}: {exc}") from exc

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        cursor = self._conn.cursor()
        try:
            cursor.executemany(self._sql(sql), rows)
        except self._driver_errors as exc:
            raise StoreError(f"{self._driver_name}: {exc}") from exc
        finally:
            cursor.close()

    @abstractmethod
    def _run_script(self, sql: str) -> None:
        """Run a migration file inside the current transaction."""

    def _lock_schema(self) -> None:
        """Serialise concurrent migrations (PostgreSQL takes an advisory lock)."""

    def _time(self, value: datetime) -> Any:
        return value

    def _date(self, value: date | None) -> Any:
        return value

    def _json(self, value: Any) -> Any:
        return json.dumps(value, ensure_ascii=False)

    # -- the public read-side seam (see Store) ----------------------------------------
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if _READ_ONLY.match(sql) is None:
            raise StoreError("Store.query runs only SELECT or WITH statements",
                             fix="write through Store.transaction()")
        return [tuple(row) for row in self._execute(sql, params).fetchall()]

    def detector_condition(self, column: str, detector: str) -> tuple[str, list[Any]]:
        sql, patterns = self._detector_filter(column, detector)
        return sql, list(patterns)

    def date_param(self, value: date | None) -> Any:
        return self._date(value)

    @contextmanager
    def transaction(self) -> Iterator[Writer]:
        with self._transaction():
            yield _SqlWriter(self)

    def refresh_statistics(self, table: str) -> None:
        if not table.isidentifier():
            raise StoreError(f"not a table name: {table!r}")
        if self.dialect == "postgres":
            self._execute(f"ANALYZE {table}")

    # -- lifecycle ---------------------------------------------------------------------
    def close(self) -> None:
        with self._readers_lock:
            readers = list(self._readers)
        for holder in readers:
            holder.close()
        self._writer.close()

    def _prepare(self, writer: Any) -> None:
        """Start the connections on ``writer`` and bring the schema up to date."""
        self._start_connections(writer)
        try:
            self._migrate()
        except BaseException:  # the store is not returned: nothing else would close it
            self.close()
            raise

    def _migrate(self) -> None:
        wanted = migrations(self.dialect)
        try:  # up to date (the usual case): no write lock, so readers never wait
            applied = {row[0] for row in self._execute("SELECT version FROM schema_migrations")}
        except StoreError:
            applied = set()
        if all(version in applied for version, _, _ in wanted):
            return
        with self._transaction():
            self._lock_schema()
            self._execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)"
            )
            applied = {row[0] for row in self._execute("SELECT version FROM schema_migrations")}
            for version, name, sql in wanted:
                if version not in applied:
                    self._run_script(sql)
                    self._execute(
                        "INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)",
                        (version, name, now_utc().isoformat()),
                    )

    def schema_version(self) -> int:
        row = self._execute("SELECT MAX(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)

    # -- writing -----------------------------------------------------------------------
    def add_documents(
        self, docs: Sequence[Document], *, dedup: NearDuplicateIndex | None = None
    ) -> list[AddResult]:
        hashes = [doc.content_hash for doc in docs]
        keys = [canonical_url(doc.url) if doc.url else None for doc in docs]
        # Read before writing, outside the transaction: a document whose text and URL
        # are both stored already (every document of a source ingested again) needs no
        # write at all, and MinHash, the slow part, is computed only for new texts.
        known = self._lookup("SELECT content_hash, id FROM texts WHERE content_hash", hashes)
        urls = self._lookup("SELECT canonical_url, text_id FROM urls WHERE canonical_url",
                            [k for k in keys if k])
        new_texts = {h: doc.text for doc, h in zip(docs, hashes) if h not in known}
        signatures = {h: signature(text) for h, text in new_texts.items()}
        new_ids: list[int] = []
        results: list[AddResult] = []
        try:
            with self._transaction():
                for doc, h, key in zip(docs, hashes, keys):
                    if h in known and key is not None and urls.get(key) == known[h]:
                        results.append(AddResult(known[h], False, "known"))
                        continue
                    result = self._add_one(doc, h, known.get(h), signatures.get(h), dedup,
                                           new_ids)
                    known[h] = result.text_id  # a later copy in this batch is known
                    if key is not None:
                        urls[key] = result.text_id
                    results.append(result)
        except BaseException:
            # Rolled back: forget what this transaction made, so nothing refers to it.
            if dedup is not None:
                dedup.discard(new_ids)
            raise
        return results

    def _lookup(self, select: str, values: Sequence[str], chunk: int = 500) -> dict[str, int]:
        """``{value: id}`` for the stored ``values`` (``select`` ends with the column
        the ``IN`` list applies to)."""
        found: dict[str, int] = {}
        unique = list(dict.fromkeys(values))
        for i in range(0, len(unique), chunk):
            part = unique[i : i + chunk]
            marks = ", ".join("?" * len(part))
            for value, ident in self._execute(f"{select} IN ({marks})", part).fetchall():
                found[value] = int(ident)
        return found

    def _add_one(
        self,
        doc: Document,
        content_hash: str,
        text_id: int | None,
        sig: bytes | None,
        dedup: NearDuplicateIndex | None,
        new_ids: list[int],
    ) -> AddResult:
        """Store one document's text (unless ``text_id`` says it is stored) and URL."""
        now = self._time(now_utc())
        source_id = self._source_id(doc.provenance.source, doc.provenance.kind, now)
        new, links = False, 0
        if text_id is None:
            text_id, new, links = self._add_text(doc, content_hash, sig, dedup, new_ids, now)
        url_status = self._add_url(doc, text_id, source_id, now) if doc.url else None
        return AddResult(text_id, new, url_status, links)

    def _add_text(
        self,
        doc: Document,
        content_hash: str,
        sig: bytes | None,
        dedup: NearDuplicateIndex | None,
        new_ids: list[int],
        now: Any,
    ) -> tuple[int, bool, int]:
        """``(text_id, new, near-duplicate links)``; another process may have stored the
        same text since the batch was read, so a conflict is looked up, not an error."""
        outlet_id = self._outlet_id(doc.outlet, doc.url)
        raw = doc.provenance.raw
        row = self._execute(
            "INSERT INTO texts (content_hash, text, offset_map, raw, raw_ref, language, title,"
            " published, outlet_id, meta, minhash, added)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (content_hash) DO NOTHING RETURNING id",
            (
                content_hash,
                doc.text,
                self._json(doc.offset_map.to_json()) if doc.offset_map is not None else None,
                bytes(raw) if isinstance(raw, (bytes, bytearray, memoryview)) else None,
                doc.provenance.raw_ref,
                doc.language,
                doc.title,
                self._date(as_date(doc.published)),
                outlet_id,
                self._json(_meta_for_storage(doc)),
                sig,
                now,
            ),
        ).fetchone()
        links = 0
        if row is not None:
            text_id = int(row[0])
            new_ids.append(text_id)
            if dedup is not None and sig is not None:
                pairs = dedup.add(text_id, sig)
                self._executemany(
                    "INSERT INTO near_duplicates (text_id, other_text_id, jaccard) VALUES (?, ?, ?)"
                    " ON CONFLICT DO NOTHING",
                    [(max(text_id, o), min(text_id, o), j) for o, j in pairs],
                )
                links = len(pairs)
        else:
            found = self._execute(
                "SELECT id FROM texts WHERE content_hash = ?", (content_hash,)
            ).fetchone()
            text_id = int(found[0])
        return text_id, row is not None, links

    def _add_url(self, doc: Document, text_id: int, source_id: int | None, now: Any) -> str:
        assert doc.url is not None
        key = canonical_url(doc.url)
        values = (doc.provenance.section, self._date(as_date(doc.published)), doc.title)
        row = self._execute(
            "INSERT INTO urls (canonical_url, url, text_id, source_id, fetched, section,"
            " published, title) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (canonical_url) DO NOTHING RETURNING id",
            (key, doc.url, text_id, source_id, now, *values),
        ).fetchone()
        if row is not None:
            return "new"
        stored = self._execute(
            "SELECT text_id FROM urls WHERE canonical_url = ?", (key,)
        ).fetchone()
        if int(stored[0]) == text_id:
            return "known"
        # The page changed since it was stored: the URL now points at the new text,
        # and the old text stays (it was published, and may have spans).
        self._execute(
            "UPDATE urls SET text_id = ?, url = ?, fetched = ?, section = ?, published = ?,"
            " title = ? WHERE canonical_url = ?",
            (text_id, doc.url, now, *values, key),
        )
        return "updated"

    def _source_id(self, locator: Any, kind: Any, now: Any) -> int | None:
        if not locator:
            return None
        locator = str(locator)
        if locator not in self._source_ids:
            self._execute(
                "INSERT INTO sources (kind, locator, added) VALUES (?, ?, ?)"
                " ON CONFLICT (locator) DO NOTHING",
                (str(kind or source_kind(locator)), locator, now),
            )
            row = self._execute("SELECT id FROM sources WHERE locator = ?", (locator,)).fetchone()
            self._source_ids[locator] = int(row[0])
        return self._source_ids[locator]

    def _outlet_id(self, name: str | None, url: str | None) -> int | None:
        if not name:
            return None
        if name not in self._outlet_ids:
            domain = (urlsplit(url).hostname or None) if url else None
            self._execute(
                "INSERT INTO outlets (name, domain) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                (name, domain),
            )
            row = self._execute("SELECT id FROM outlets WHERE name = ?", (name,)).fetchone()
            self._outlet_ids[name] = int(row[0])
        return self._outlet_ids[name]

    def start_run(self, kind: str, detector: str | None = None) -> int:
        with self._transaction():
            row = self._execute(
                "INSERT INTO runs (kind, detector, started, counts, errors)"
                " VALUES (?, ?, ?, ?, ?) RETURNING id",
                (kind, detector, self._time(now_utc()), self._json({}), self._json([])),
            ).fetchone()
        return int(row[0])

    def update_run(
        self, run_id: int, counts: dict[str, int], errors: list[dict[str, str]],
        *, finished: bool = False,
    ) -> None:
        with self._transaction():
            self._write_run(run_id, counts, errors, finished=finished)

    def _write_run(
        self, run_id: int, counts: dict[str, int], errors: list[dict[str, str]],
        *, finished: bool = False,
    ) -> None:
        self._execute(
            "UPDATE runs SET counts = ?, errors = ?, finished = ? WHERE id = ?",
            (self._json(counts), self._json(errors),
             self._time(now_utc()) if finished else None, run_id),
        )

    def save_analyses(
        self,
        run_id: int,
        results: Sequence[tuple[int, AnalysedDocument]],
        counts: dict[str, int],
        errors: list[dict[str, str]],
    ) -> set[int]:
        stored: set[int] = set()
        with self._transaction():
            now = self._time(now_utc())
            for text_id, analysed in results:
                row = self._execute(
                    "INSERT INTO analyses (text_id, detector, run_id, score, analysed)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (text_id, detector) DO NOTHING"
                    " RETURNING text_id",
                    (text_id, analysed.detector, run_id, float(analysed.score), now),
                ).fetchone()
                if row is None:
                    continue
                stored.add(text_id)
                self._executemany(
                    "INSERT INTO spans (text_id, detector, start_char, end_char, technique,"
                    " score, evidence) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (text_id, analysed.detector, s.start, s.end, s.technique,
                         float(s.score), s.evidence)
                        for s in analysed.spans
                    ],
                )
            self._write_run(run_id, counts, errors)
        return stored

    def save_feed_state(self, feed_url: str, state: dict[str, Any]) -> None:
        with self._transaction():
            self._execute(
                "INSERT INTO feed_state (feed_url, state, polled) VALUES (?, ?, ?)"
                " ON CONFLICT (feed_url) DO UPDATE SET state = excluded.state,"
                " polled = excluded.polled",
                (feed_url, self._json(state), self._time(now_utc())),
            )

    def feed_state(self, feed_url: str) -> dict[str, Any] | None:
        row = self._execute(
            "SELECT state FROM feed_state WHERE feed_url = ?", (feed_url,)
        ).fetchone()
        return load_json(row[0]) if row is not None else None

    # -- reading -----------------------------------------------------------------------
    def signatures(self) -> Iterator[tuple[int, bytes]]:
        rows = self._execute("SELECT id, minhash FROM texts WHERE minhash IS NOT NULL ORDER BY id")
        for text_id, data in rows.fetchall():
            yield int(text_id), bytes(data)

    def _pending_where(self, since: date | None) -> tuple[str, list[Any]]:
        where = "NOT EXISTS (SELECT 1 FROM analyses a WHERE a.text_id = t.id AND a.detector = ?)"
        if since is None:
            return where, []
        where += " AND (t.published >= ? OR (t.published IS NULL AND t.added >= ?))"
        return where, [self._date(since), self._time(datetime(since.year, since.month,
                                                              since.day, tzinfo=UTC))]

    def count_pending(self, detector: str, since: date | None = None) -> int:
        where, params = self._pending_where(since)
        row = self._execute(
            f"SELECT COUNT(*) FROM texts t WHERE {where}", (detector, *params)
        ).fetchone()
        return int(row[0])

    def pending_ranges(
        self, detector: str, *, since: date | None = None, size: int = 1000
    ) -> list[tuple[int, int, int]]:
        # One query that returns only the bounds (a window over the pending ids), so a
        # cluster's driver never reads the texts it hands to its workers.
        where, params = self._pending_where(since)
        rows = self._execute(
            "SELECT MIN(id), MAX(id), COUNT(*) FROM (SELECT t.id AS id,"
            " (ROW_NUMBER() OVER (ORDER BY t.id) - 1) / ? AS part"
            f" FROM texts t WHERE {where}) p GROUP BY part ORDER BY part",
            (size, detector, *params),
        ).fetchall()
        return [(int(lo), int(hi), int(n)) for lo, hi, n in rows]

    def pending(
        self, detector: str, *, since: date | None = None, after_id: int = 0, limit: int = 100
    ) -> list[tuple[int, Document]]:
        where, params = self._pending_where(since)
        rows = self._select_texts(
            f"t.id > ? AND {where} ORDER BY t.id LIMIT ?",
            (after_id, detector, *params, limit),
            with_offsets=False,
        )
        return [(int(row[0]), self._document(row)) for row in rows]

    def _select_texts(self, where: str, params: Sequence[Any], *, with_offsets: bool) -> list[Any]:
        offsets = "t.offset_map" if with_offsets else "NULL"
        sql = (
            f"SELECT {_TEXT_COLUMNS}, {offsets} FROM texts t"
            f" LEFT JOIN outlets o ON o.id = t.outlet_id WHERE {where}"
        )
        return list(self._execute(sql, params).fetchall())

    def _document(self, row: Sequence[Any]) -> Document:
        text_id, text, title, url, published, language, outlet, meta, raw_ref, offsets = row
        offset_map = OffsetMap.from_json(load_json(offsets)) if offsets else None
        stored_meta = load_json(meta) or {}
        provenance = _provenance_from_storage(stored_meta, raw_ref)
        return Document(
            text=text,
            id=str(text_id),
            title=title,
            url=url,
            outlet=outlet,
            published=as_date(published),
            language=language or "en",
            offset_map=offset_map,
            meta=stored_meta,
            provenance=provenance,
        )

    def get_text(self, text_id: int, *, detector: str | None = None) -> StoredText | None:
        rows = self._select_texts("t.id = ?", (text_id,), with_offsets=True)
        if not rows:
            return None
        return self._complete(rows, detector)[0]

    def iter_texts(
        self, *, detector: str | None = None, analysed_only: bool = False, page: int = 500
    ) -> Iterator[StoredText]:
        after = 0
        where = "t.id > ?"
        extra: list[Any] = []
        if analysed_only:
            where += " AND EXISTS (SELECT 1 FROM analyses a WHERE a.text_id = t.id"
            if detector is not None:
                matches, extra = self._detector_filter("a.detector", detector)
                where += f" AND {matches}"
            where += ")"
        while True:
            rows = self._select_texts(
                f"{where} ORDER BY t.id LIMIT ?", (after, *extra, page), with_offsets=True
            )
            if not rows:
                return
            yield from self._complete(rows, detector)
            after = int(rows[-1][0])

    _like = "{} LIKE ?"
    """SQL true when the column fits a ``LIKE`` pattern, case-sensitively."""

    def _like_pattern(self, pattern: str) -> str:
        return pattern

    def _detector_filter(self, column: str, detector: str) -> tuple[str, list[str]]:
        """SQL (and its parameters) keeping the stored detector ids ``detector`` names:
        a bare name (``fast``: any version and configuration), ``fast.v1`` (any
        configuration) or a full id.  What is pending stays matched by exact id."""
        patterns = DetectorRef.parse(detector).sql_patterns()
        sql = " OR ".join(self._like.format(column) for _ in patterns)
        return f"({sql})", [self._like_pattern(p) for p in patterns]

    def _complete(self, rows: Sequence[Any], detector: str | None) -> list[StoredText]:
        """StoredTexts for ``rows`` with their URLs, scores and spans: three queries a page."""
        items = {int(row[0]): StoredText(int(row[0]), self._document(row)) for row in rows}
        marks = ", ".join("?" * len(items))
        ids = list(items)
        for text_id, url, key, section, published, title, source in self._execute(
            "SELECT u.text_id, u.url, u.canonical_url, u.section, u.published, u.title, s.locator"
            f" FROM urls u LEFT JOIN sources s ON s.id = u.source_id WHERE u.text_id IN ({marks})"
            " ORDER BY u.id",
            ids,
        ).fetchall():
            items[int(text_id)].urls.append(
                UrlRecord(url, key, section, as_date(published), title, source)
            )
        only, params = "", list(ids)
        if detector is not None:
            matches, patterns = self._detector_filter("detector", detector)
            only, params = f" AND {matches}", [*ids, *patterns]
        for text_id, name, score in self._execute(
            f"SELECT text_id, detector, score FROM analyses WHERE text_id IN ({marks}){only}",
            params,
        ).fetchall():
            items[int(text_id)].scores[name] = float(score)
        for text_id, name, start, end, technique, score, evidence in self._execute(
            "SELECT text_id, detector, start_char, end_char, technique, score, evidence"
            f" FROM spans WHERE text_id IN ({marks}){only} ORDER BY text_id, start_char, end_char",
            params,
        ).fetchall():
            items[int(text_id)].spans.append(
                Span(int(start), int(end), technique, float(score), name, evidence)
            )
        return list(items.values())

    def stats(self) -> StoreStats:
        def count(sql: str) -> int:
            return int(self._execute(sql).fetchone()[0])

        analysed = {
            name: int(n)
            for name, n in self._execute(
                "SELECT detector, COUNT(*) FROM analyses GROUP BY detector ORDER BY detector"
            ).fetchall()
        }
        spans: dict[str, dict[str, int]] = {}
        for name, technique, n in self._execute(
            "SELECT detector, technique, COUNT(*) FROM spans GROUP BY detector, technique"
            " ORDER BY detector, COUNT(*) DESC, technique"
        ).fetchall():
            spans.setdefault(name, {})[technique or "propaganda"] = int(n)
        return StoreStats(
            sources=count("SELECT COUNT(*) FROM sources"),
            urls=count("SELECT COUNT(*) FROM urls"),
            texts=count("SELECT COUNT(*) FROM texts"),
            near_duplicate_links=count("SELECT COUNT(*) FROM near_duplicates"),
            runs=count("SELECT COUNT(*) FROM runs"),
            analysed=analysed,
            spans=spans,
        )

    def runs(self, limit: int = 20) -> list[RunRecord]:
        rows = self._execute(
            "SELECT id, kind, detector, started, finished, counts, errors FROM runs"
            " ORDER BY id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [
            RunRecord(int(r[0]), r[1], r[2], str(r[3]), str(r[4]) if r[4] else None,
                      load_json(r[5]) or {}, load_json(r[6]) or [])
            for r in rows
        ]

    def detectors(self) -> list[str]:
        rows = self._execute(
            "SELECT detector FROM analyses GROUP BY detector ORDER BY MAX(run_id) DESC, detector"
        ).fetchall()
        return [r[0] for r in rows]

    def near_duplicates(self, text_id: int) -> list[tuple[int, float]]:
        rows = self._execute(
            "SELECT other_text_id, jaccard FROM near_duplicates WHERE text_id = ?"
            " UNION SELECT text_id, jaccard FROM near_duplicates WHERE other_text_id = ?"
            " ORDER BY 1",
            (text_id, text_id),
        ).fetchall()
        return [(int(a), float(b)) for a, b in rows]

    def search_page(
        self, query: str, *, mode: str = "stemmed", limit: int = 20, offset: int = 0
    ) -> SearchPage:
        parsed = parse_query(query, mode)
        if limit < 0 or offset < 0:
            raise SearchQueryError(f"limit {limit} and offset {offset} must not be negative",
                                   fix="page with --limit N and an offset of 0 or more")
        if parsed.mode == "exact":
            total, hits = self._search_exact(parsed, limit, offset)
        else:
            total, hits = self._search_stemmed(parsed, limit, offset)
        return SearchPage(query, parsed.mode, total, offset, limit, hits)

    @abstractmethod
    def _search_stemmed(self, query: Query, limit: int, offset: int) -> tuple[int, list[SearchHit]]:
        """The total count and one page of hits of a stemmed query, in the database's
        own full-text index."""

    _contains = "instr({}, ?) > 0"
    """SQL that is true when the column holds the parameter, case-sensitively."""

    def _search_exact(self, query: Query, limit: int, offset: int) -> tuple[int, list[SearchHit]]:
        """Exact mode, the same on every backend: the database keeps the texts holding
        every term as a substring (no index can: the full-text ones fold case and stem),
        and Python keeps those where each term is a whole word or phrase."""
        where, params = [], []
        for term in query.terms():
            for piece in term.words:
                where.append(f"({self._contains.format('t.text')}"
                             f" OR {self._contains.format('t.title')})")
                params += [piece, piece]
        cursor = self._execute(
            f"SELECT t.id, t.title, t.text FROM texts t WHERE {' AND '.join(where)} ORDER BY t.id",
            params,
        )
        found: list[tuple[int, int, str]] = []  # (rank, id, snippet)
        while rows := cursor.fetchmany(200):
            for text_id, title, text in rows:
                rank, matches = exact_matches(query, title, text)
                if rank:
                    found.append((rank, int(text_id), snippet(text, matches)))
        found.sort(key=lambda f: (-f[0], f[1]))
        page = found[offset : offset + limit]
        if not page:
            return len(found), []
        marks = ", ".join("?" * len(page))
        about = {
            int(r[0]): r[1:]
            for r in self._execute(
                "SELECT t.id, t.title, (SELECT u.url FROM urls u WHERE u.text_id = t.id"
                f" ORDER BY u.id LIMIT 1), t.published FROM texts t WHERE t.id IN ({marks})",
                [text_id for _, text_id, _ in page],
            ).fetchall()
        }
        hits = [
            SearchHit(text_id, about[text_id][0], about[text_id][1],
                      as_date(about[text_id][2]), text, float(rank))
            for rank, text_id, text in page
        ]
        return len(found), hits

    # -- feedback and access tokens (the workbench) -----------------------------------
    _FEEDBACK = ("SELECT id, text_id, verdict, start_char, end_char, technique, detector,"
                 " reader, created FROM feedback")

    def add_feedback(
        self, text_id: int, verdict: str, start: int, end: int, *, technique: str | None,
        detector: str | None, reader: str,
    ) -> FeedbackRecord:
        with self._transaction():
            row = self._execute(
                "INSERT INTO feedback (text_id, verdict, start_char, end_char, technique,"
                " detector, reader, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (text_id, verdict, start, end, technique, detector, reader,
                 self._time(now_utc())),
            ).fetchone()
        found = self._execute(self._FEEDBACK + " WHERE id = ?", (int(row[0]),)).fetchall()
        return _feedback_record(found[0])

    def feedback(self, text_id: int | None = None, *, after_id: int = 0,
                 limit: int = 500) -> list[FeedbackRecord]:
        where, params = "WHERE id > ?", [after_id]
        if text_id is not None:
            where, params = where + " AND text_id = ?", [after_id, text_id]
        rows = self._execute(self._FEEDBACK + f" {where} ORDER BY id LIMIT ?",
                             (*params, limit)).fetchall()
        return [_feedback_record(r) for r in rows]

    def add_token(self, name: str, salt: bytes, digest: bytes) -> int:
        with self._transaction():
            row = self._execute(
                "INSERT INTO access_tokens (name, salt, hash, created) VALUES (?, ?, ?, ?)"
                " RETURNING id", (name, salt, digest, self._time(now_utc())),
            ).fetchone()
        return int(row[0])

    def tokens(self) -> list[TokenRecord]:
        rows = self._execute(
            "SELECT id, name, salt, hash, created, revoked FROM access_tokens ORDER BY id"
        ).fetchall()
        return [TokenRecord(int(r[0]), r[1], bytes(r[2]), bytes(r[3]), _iso(r[4]),
                            _iso(r[5]) if r[5] is not None else None) for r in rows]

    def revoke_token(self, token_id: int) -> bool:
        with self._transaction():
            row = self._execute(
                "UPDATE access_tokens SET revoked = ? WHERE id = ? AND revoked IS NULL"
                " RETURNING id", (self._time(now_utc()), token_id),
            ).fetchone()
        return row is not None


def _iso(value: Any) -> str:
    """A stored time as ISO-8601 text, whichever type the driver gives."""
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _feedback_record(row: Sequence[Any]) -> FeedbackRecord:
    return FeedbackRecord(int(row[0]), int(row[1]), row[2], int(row[3]), int(row[4]), row[5],
                          row[6], row[7], _iso(row[8]))
