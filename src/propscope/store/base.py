"""The :class:`Store` interface: what every database behind propscope offers.

Why one interface: the CLI, the batch runner, the exporters and the tests talk to a
store through these methods only, never through SQL strings, so SQLite (the default,
one file) and PostgreSQL (by URL) are interchangeable and tested by one suite.

The unit of storage is a *text*: one distinct normalised text, keyed by its content
hash, stored and analysed once.  Every URL that carried it is kept as a row of its
own, so KCNA's habit of filing one story under several sections costs one text and
several URLs.  Every write is one transaction; a process killed mid-batch leaves the
database as it was before that batch, and running it again completes it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Self

from propscope.model import AnalysedDocument, Document, Span

if TYPE_CHECKING:
    from propscope.store.dedup import NearDuplicateIndex


@dataclass(frozen=True, slots=True)
class AddResult:
    """What storing one document did: which text it is, and whether anything was new.

    ``url`` is ``"new"`` (a URL row was added), ``"known"`` (the canonical URL was
    already stored with this text), ``"updated"`` (the URL was stored with another
    text: the page changed, and the URL now points at the new text) or ``None`` (the
    document has no URL, e.g. stdin).
    """

    text_id: int
    new_text: bool
    url: str | None
    near_duplicates: int = 0


@dataclass(frozen=True, slots=True)
class UrlRecord:
    """One address a text was found at."""

    url: str
    canonical_url: str
    section: str | None
    published: date | None
    title: str | None
    source: str | None


@dataclass(slots=True)
class StoredText:
    """A stored text with everything known about it: the document (``id`` is the text
    id as a string), its URLs, and the analyses and spans of the detectors asked for."""

    text_id: int
    document: Document
    urls: list[UrlRecord] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    spans: list[Span] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SearchHit:
    text_id: int
    title: str | None
    url: str | None
    published: date | None
    snippet: str
    rank: float


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of a search: ``total`` texts match in all, ``hits`` are those from
    ``offset`` (best first), at most ``limit`` of them, so a face can say "41–60 of
    164" and page on.  ``mode`` is ``"stemmed"`` or ``"exact"``
    (see :mod:`propscope.store.query`)."""

    query: str
    mode: str
    total: int
    offset: int
    limit: int
    hits: list[SearchHit]


@dataclass(slots=True)
class StoreStats:
    """The counts ``propscope stats`` shows."""

    sources: int
    urls: int
    texts: int
    near_duplicate_links: int
    runs: int
    analysed: dict[str, int]
    spans: dict[str, dict[str, int]]  # detector -> technique -> count

    def to_dict(self) -> dict[str, Any]:
        return {
            "sources": self.sources,
            "urls": self.urls,
            "texts": self.texts,
            "near_duplicate_links": self.near_duplicate_links,
            "runs": self.runs,
            "analysed": self.analysed,
            "spans": self.spans,
        }


@dataclass(slots=True)
class RunRecord:
    id: int
    kind: str
    detector: str | None
    started: str
    finished: str | None
    counts: dict[str, int]
    errors: list[dict[str, str]]


@dataclass(frozen=True, slots=True)
class FeedbackRecord:
    """What one reader said about one span: ``verdict`` is ``right`` or ``wrong`` for a
    detector's span (``detector`` names it), ``missing`` for a span the reader added.
    Offsets index the stored text, as spans' do."""

    id: int
    text_id: int
    verdict: str
    start: int
    end: int
    technique: str | None
    detector: str | None
    reader: str
    created: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text_id": self.text_id, "verdict": self.verdict,
                "start": self.start, "end": self.end, "technique": self.technique,
                "detector": self.detector, "reader": self.reader, "created": self.created}


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """One access token as stored: never the token, only its salt and scrypt hash."""

    id: int
    name: str
    salt: bytes
    hash: bytes
    created: str
    revoked: str | None


class Store(ABC):
    """A propscope database.  Open one with :func:`propscope.store.open_store`; use it
    as a context manager or call :meth:`close`."""

    url: str

    # -- lifecycle ---------------------------------------------------------------
    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @abstractmethod
    def schema_version(self) -> int:
        """The highest migration applied (migrations run when the store is opened)."""

    # -- writing -----------------------------------------------------------------
    @abstractmethod
    def add_documents(
        self, docs: Sequence[Document], *, dedup: NearDuplicateIndex | None = None
    ) -> list[AddResult]:
        """Store ``docs`` in one transaction: a text per distinct content hash, a URL
        row per distinct canonical URL, the source and outlet rows they name, and the
        near-duplicate links ``dedup`` finds.  Either all of them are stored or none."""

    @abstractmethod
    def start_run(self, kind: str, detector: str | None = None) -> int:
        """Record the start of an ingest or analysis run; return its id."""

    @abstractmethod
    def update_run(
        self, run_id: int, counts: dict[str, int], errors: list[dict[str, str]],
        *, finished: bool = False,
    ) -> None:
        """Save a run's counts and item errors so far (and its end time when finished)."""

    @abstractmethod
    def save_analyses(
        self,
        run_id: int,
        results: Sequence[tuple[int, AnalysedDocument]],
        counts: dict[str, int],
        errors: list[dict[str, str]],
    ) -> set[int]:
        """Store one batch of analysed texts, their spans and the run's counts so far in
        one transaction.  A text already analysed by the same detector (another process
        got there first) is skipped; returns the ids of the texts stored."""

    @abstractmethod
    def save_feed_state(self, feed_url: str, state: dict[str, Any]) -> None:
        """Remember what ``watch`` knows about a feed (validators, entry ids seen)."""

    @abstractmethod
    def feed_state(self, feed_url: str) -> dict[str, Any] | None:
        """What :meth:`save_feed_state` last saved for ``feed_url``, if anything."""

    # -- reading -----------------------------------------------------------------
    @abstractmethod
    def signatures(self) -> Iterator[tuple[int, bytes]]:
        """Every stored text's MinHash signature, to rebuild the near-duplicate index."""

    @abstractmethod
    def count_pending(self, detector: str, since: date | None = None) -> int:
        """How many texts ``detector`` (e.g. ``"fast.v1"``) has not analysed yet."""

    @abstractmethod
    def pending(
        self, detector: str, *, since: date | None = None, after_id: int = 0, limit: int = 100
    ) -> list[tuple[int, Document]]:
        """The next ``limit`` texts with id above ``after_id`` not yet analysed by
        ``detector``, in id order (so a runner can step past texts that fail)."""

    def pending_ranges(
        self, detector: str, *, since: date | None = None, size: int = 1000
    ) -> list[tuple[int, int, int]]:
        """The texts ``detector`` has not analysed, cut into consecutive id ranges of
        ``size`` texts: ``(first id, last id, texts)`` each, for
        :mod:`propscope.scale` to hand one range to each task.  This default pages
        through :meth:`pending`; the SQL stores answer from the ids alone."""
        ranges: list[tuple[int, int, int]] = []
        after = 0
        while page := self.pending(detector, since=since, after_id=after, limit=size):
            ranges.append((page[0][0], page[-1][0], len(page)))
            after = page[-1][0]
        return ranges

    @abstractmethod
    def get_text(self, text_id: int, *, detector: str | None = None) -> StoredText | None:
        """One text with its URLs, scores and spans (of ``detector``, or of all)."""

    @abstractmethod
    def iter_texts(
        self, *, detector: str | None = None, analysed_only: bool = False, page: int = 500
    ) -> Iterator[StoredText]:
        """Every text in id order with its URLs, scores and spans, read ``page`` at a
        time so an export of a large store runs in bounded memory."""

    @abstractmethod
    def near_duplicates(self, text_id: int) -> list[tuple[int, float]]:
        """The texts linked to ``text_id`` as near-duplicates, with estimated Jaccard."""

    @abstractmethod
    def search_page(
        self, query: str, *, mode: str = "stemmed", limit: int = 20, offset: int = 0
    ) -> SearchPage:
        """Search titles and texts: the number of matching texts and the hits from
        ``offset``, best first.  ``mode="stemmed"`` matches word forms (``US`` finds
        ``used``), ``"exact"`` the words as written (``US`` only); the query syntax is in
        :mod:`propscope.store.query`.  A blank query, one without words, or one too long
        raises :class:`~propscope.errors.SearchQueryError`."""

    def search(
        self, query: str, *, limit: int = 20, offset: int = 0, mode: str = "stemmed"
    ) -> list[SearchHit]:
        """The hits of :meth:`search_page` alone."""
        return self.search_page(query, mode=mode, limit=limit, offset=offset).hits

    @abstractmethod
    def stats(self) -> StoreStats: ...

    @abstractmethod
    def runs(self, limit: int = 20) -> list[RunRecord]:
        """The most recent runs, newest first."""

    @abstractmethod
    def detectors(self) -> list[str]:
        """The detector ids with stored analyses, most recently used first."""

    # -- feedback and access tokens (the workbench) -----------------------------------
    @abstractmethod
    def add_feedback(
        self, text_id: int, verdict: str, start: int, end: int, *, technique: str | None,
        detector: str | None, reader: str,
    ) -> FeedbackRecord:
        """Store one reader's verdict on a span of text ``text_id`` (checked by the
        caller against the text and its spans) and return it with its id and time."""

    @abstractmethod
    def feedback(self, text_id: int | None = None, *, after_id: int = 0,
                 limit: int = 500) -> list[FeedbackRecord]:
        """Feedback in id order (oldest first), of one text or of all, ``limit`` rows
        with id above ``after_id`` (so an export can page through all of it)."""

    @abstractmethod
    def add_token(self, name: str, salt: bytes, digest: bytes) -> int:
        """Store an access token's salt and hash under ``name``; return its id."""

    @abstractmethod
    def tokens(self) -> list[TokenRecord]:
        """Every access token, revoked ones included, in id order."""

    @abstractmethod
    def revoke_token(self, token_id: int) -> bool:
        """Revoke token ``token_id``; False when there is no such live token."""
    # -- the read-side seam ------------------------------------------------------
    # Faces that need views the methods above do not give (the workbench's facets and
    # time series, the analytics layer's derived table) write SQL both SQLite and
    # PostgreSQL speak, with ``?`` placeholders, through these few methods instead of
    # the store's internals.  A store that is not SQL refuses them with a StoreError.
    dialect: str = ""

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """The rows of one read-only statement (``SELECT`` or ``WITH``) written with
        ``?`` placeholders, run on this thread's read connection (inside
        :meth:`transaction`, on the writer, so it sees the transaction's rows).  Values
        are always parameters, never part of ``sql``."""
        raise self._not_sql()

    def detector_condition(self, column: str, detector: str) -> tuple[str, list[Any]]:
        """An SQL condition (and its parameters) keeping the rows whose ``column``
        holds a detector id that ``detector`` names: a bare name (``fast``), ``fast.v1``
        or a full id.  ``column`` is the caller's SQL, never a user's value."""
        raise self._not_sql()

    def date_param(self, value: date | None) -> Any:
        """``value`` as this backend compares it with a stored ``published`` date."""
        raise self._not_sql()

    def transaction(self) -> AbstractContextManager[Writer]:
        """One write transaction for a derived table a face keeps beside the store's
        own (e.g. ``analytics_facts``): the :class:`Writer` it yields runs statements
        on the writer connection; everything commits at the end or nothing does.  The
        store's own tables are written only by the methods above."""
        raise self._not_sql()

    def refresh_statistics(self, table: str) -> None:
        """Bring the query planner's statistics of ``table`` up to date after a bulk
        write (PostgreSQL's ``ANALYZE``; nothing where the planner needs none)."""
        raise self._not_sql()

    def _not_sql(self) -> Exception:
        from propscope.errors import StoreError

        return StoreError(f"{type(self).__name__} does not run SQL",
                          fix="use a SQLite or PostgreSQL store")


class Writer(ABC):
    """Statements inside one :meth:`Store.transaction` (``?`` placeholders)."""

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    @abstractmethod
    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...
