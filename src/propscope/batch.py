"""Long runs over a store: ingest a stream of documents, analyse what is not analysed.

Why a module of its own: the CLI (``propscope ingest``, ``analyze --db``, ``watch``)
and the web layer need the same guarantees, and they are easy to get subtly wrong:

* **Incremental** — :func:`analyze_store` asks the store for texts the detector id
  (``fast.v1``) has not analysed, so a second run, or a run after new ingests, only
  does new work; a new detector version analyses everything again under its own id.
* **Safe to kill** — every batch is one transaction (for analysis: the spans, the
  analyses and the run's counts together), and uniqueness is the database's job, so a
  process killed at any instant and started again finishes the work with every text
  stored and analysed exactly once.
* **Per-item errors** — a document that fails (bad input, a detector error) is
  recorded in the run report with its code and message, and the batch goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from propscope.detect.base import Detector, detector_id, get_detector
from propscope.errors import DetectorError, EmptyInput, PropscopeError, StoreError
from propscope.model import AnalysedDocument, Document
from propscope.pipeline import analyze_many
from propscope.store.base import Store
from propscope.store.dedup import NearDuplicateIndex

Progress = Callable[[int, "int | None"], None]
"""Called after each batch with (items done, items in all — ``None`` when unknown)."""

MAX_STORED_ERRORS = 1000
"""Item errors kept in a run record; the count in ``counts["errors"]`` is always exact."""

INGEST_BATCH = 200
FLUSH_SECONDS = 5.0
ANALYSE_BATCH = 64


@dataclass(slots=True)
class RunReport:
    """What a run did: counts by kind, and one entry per item that failed."""

    run_id: int
    kind: str
    detector: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def fail(self, item: str, error: BaseException, source: str = "") -> None:
        """Record one item's failure; a non-propscope exception keeps its type name."""
        self.add("errors")
        if len(self.errors) < MAX_STORED_ERRORS:
            if isinstance(error, PropscopeError):
                code, message = error.code, error.message
            else:
                code, message = type(error).__name__, str(error)
            self.errors.append({"source": source, "item": item, "code": code, "message": message})

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "kind": self.kind,
            "detector": self.detector,
            "counts": dict(self.counts),
            "errors": list(self.errors),
            "seconds": round(self.seconds, 3),
        }


def _item_name(doc: Document) -> str:
    return doc.url or str(doc.provenance.item or doc.provenance.source or doc.title or "?")


# -- ingest ------------------------------------------------------------------------


def ingest_documents(
    store: Store,
    items: Iterable[Any],
    *,
    batch_size: int = INGEST_BATCH,
    progress: Progress | None = None,
    near_duplicates: bool = True,
    dedup: NearDuplicateIndex | None = None,
    flush_seconds: float = FLUSH_SECONDS,
) -> RunReport:
    """Store every :class:`Document` of ``items``; record every item error.

    ``items`` is what :func:`propscope.ingest.load` yields: documents and item errors
    (anything with an ``error`` attribute holding a :class:`PropscopeError`, plus
    ``source`` and ``item``).  Counts: ``documents`` seen, ``texts_added`` and
    ``texts_known`` (already stored: a duplicate), ``urls_added``, ``urls_known``,
    ``urls_updated`` (a page whose text changed), ``near_duplicates`` linked, ``errors``.

    The near-duplicate index is built from the store's signatures unless ``dedup``
    passes one to reuse (``watch`` keeps one across polls rather than reread them all).
    A batch is stored when it holds ``batch_size`` documents or when ``flush_seconds``
    have passed since the last one, so a slow source (pages fetched one a second)
    loses little work when the run is killed.
    """
    started = time.perf_counter()
    report = RunReport(store.start_run("ingest"), "ingest")
    for key in ("documents", "texts_added", "texts_known", "urls_added", "urls_known",
                "urls_updated", "near_duplicates", "errors"):
        report.counts[key] = 0
    if dedup is None and near_duplicates:
        dedup = NearDuplicateIndex.from_signatures(store.signatures())
    batch: list[Document] = []
    done = 0
    last_flush = time.monotonic()
    iterator = iter(items)
    while True:
        try:
            item = next(iterator)
        except StopIteration:
            break
        except PropscopeError as err:  # the loader itself gave up: keep what we have
            report.fail("(source)", err)
            break
        if isinstance(item, Document):
            if not item.text.strip():
                report.fail(_item_name(item), EmptyInput("the document has no text"),
                            str(item.provenance.source or ""))
                continue
            batch.append(item)
        else:
            error = getattr(item, "error", item)
            report.fail(str(getattr(item, "item", "?")), error, str(getattr(item, "source", "")))
        if len(batch) >= batch_size or (
            batch and time.monotonic() - last_flush >= flush_seconds
        ):
            done += _store_batch(store, batch, dedup, report)
            batch = []
            last_flush = time.monotonic()
            store.update_run(report.run_id, report.counts, report.errors)
            if progress:
                progress(done, None)
    if batch:
        done += _store_batch(store, batch, dedup, report)
    report.seconds = time.perf_counter() - started
    store.update_run(report.run_id, report.counts, report.errors, finished=True)
    if progress:
        progress(done, done)
    return report


def _store_batch(
    store: Store, batch: list[Document], dedup: NearDuplicateIndex | None, report: RunReport
) -> int:
    """Store a batch in one transaction; if the database refuses it, store the
    documents one by one so that only the bad one is lost (and reported)."""
    try:
        results = store.add_documents(batch, dedup=dedup)
    except StoreError:
        results = []
        for doc in batch:
            try:
                results.extend(store.add_documents([doc], dedup=dedup))
            except StoreError as err:
                report.fail(_item_name(doc), err, str(doc.provenance.source or ""))
    report.add("documents", len(batch))
    for result in results:
        report.add("texts_added" if result.new_text else "texts_known")
        if result.url is not None:
            report.add(f"urls_{'added' if result.url == 'new' else result.url}")
        report.add("near_duplicates", result.near_duplicates)
    return len(batch)


# -- analysis ----------------------------------------------------------------------


def analyze_store(
    store: Store,
    detector: str | Detector = "default",
    since: date | None = None,
    progress: Progress | None = None,
    *,
    batch_size: int = ANALYSE_BATCH,
    limit: int | None = None,
) -> RunReport:
    """Analyse every stored text that ``detector`` (by its versioned id) has not
    analysed yet, ``batch_size`` texts per transaction.  ``since`` limits the run to
    texts published on or after that date (texts without a date: added since then);
    ``limit`` to that many texts (the next run goes on where this one stopped).

    Counts: ``pending`` at the start, ``analysed``, ``spans``, ``skipped`` (analysed by
    another process meanwhile) and ``errors``.
    """
    started = time.perf_counter()
    found = get_detector(detector)
    name = detector_id(found)
    total = store.count_pending(name, since)
    if limit is not None:
        total = min(total, limit)
    report = RunReport(store.start_run("analyze", name), "analyze", name)
    report.counts.update({"pending": total, "analysed": 0, "spans": 0, "skipped": 0,
                          "errors": 0})
    after = 0
    done = 0
    while done < total:
        batch = store.pending(name, since=since, after_id=after,
                              limit=min(batch_size, total - done))
        if not batch:
            break
        after = batch[-1][0]
        analyse_batch(store, batch, found, report)
        done += len(batch)
        if progress:
            progress(done, total)
    report.seconds = time.perf_counter() - started
    store.update_run(report.run_id, report.counts, report.errors, finished=True)
    return report


def analyse_batch(
    store: Store, batch: list[tuple[int, Document]], detector: Detector, report: RunReport
) -> None:
    """Analyse one batch of ``(text id, document)`` and store it in one transaction,
    ``report``'s counts with it.  The unit that :func:`analyze_store` loops over and
    that :mod:`propscope.scale` runs inside a Dask task: texts already analysed by the
    same detector id are skipped by the store, so running a batch twice stores it once.
    When the database refuses the batch, it is saved text by text, so one bad text
    costs only itself; a connection lost at commit still raises, for the caller to
    retry the batch."""
    results = _analyse_batch(batch, detector, report)
    try:
        _save(store, report, results)
    except StoreError as exc:
        if connection_lost(exc):
            raise
        for text_id, result in results:  # the database refused something: one by one
            try:
                _save(store, report, [(text_id, result)])
            except StoreError as err:
                if connection_lost(err):
                    raise
                report.fail(f"text {text_id} ({_item_name(result.document)})", err)


def connection_lost(error: StoreError) -> bool:
    """Whether the database went away (a retry on a new connection can succeed) rather
    than refused the data (a retry would fail the same way).  PostgreSQL tells them
    apart by class: OperationalError, SQLSTATE class 08 and 57 (admin shutdown)."""
    cause = error.__cause__
    if cause is None or not type(cause).__module__.startswith("psycopg"):
        return False
    state = getattr(cause, "sqlstate", None)
    if state:
        return state.startswith(("08", "57"))
    return type(cause).__name__ == "OperationalError"  # no server reply at all


def analyze_database(
    db: str | None,
    detector: str | Detector = "default",
    since: date | None = None,
    progress: Progress | None = None,
) -> RunReport:
    """:func:`analyze_store` on the database at ``db`` (default: ``$PROPSCOPE_DB`` or
    ``./propscope.db``), which must exist: ``propscope analyze --db`` and any caller
    that holds a location rather than an open store."""
    from propscope.store import default_db, open_store

    with open_store(db or default_db(), create=False) as store:
        return analyze_store(store, detector, since=since, progress=progress)


def stored_detectors(store: Store, name: str) -> list[str]:
    """The stored detector ids that ``name`` (``fast``, ``fast.v1`` or a full id)
    means: every version and configuration of a bare name, every configuration of
    ``name.vN``.

    Why here: a user names a detector the way every command accepts it, while the
    store keeps full ids; a bare name once matched nothing, and the export wrote zero
    spans without a word.  Raises :class:`DetectorError` when no stored analysis
    matches (the fix names the stored ones)."""
    from propscope.store.export import stored_detectors as matching

    try:
        return matching(store, name)  # the store's one matcher (export uses it too)
    except StoreError:
        raise DetectorError(f"nothing in this database was analysed by {name!r}",
                            fix=f"stored: {', '.join(store.detectors()) or 'none'}") from None


def _save(
    store: Store, report: RunReport, results: list[tuple[int, AnalysedDocument]]
) -> None:
    """Store results and the run's counts in one transaction; counts move only when
    the transaction commits."""
    counts = dict(report.counts)
    report.add("analysed", len(results))
    report.add("spans", sum(len(r.spans) for _, r in results))
    try:
        saved = store.save_analyses(report.run_id, results, report.counts, report.errors)
    except StoreError:
        report.counts = counts
        raise
    skipped = [r for text_id, r in results if text_id not in saved]
    if skipped:  # another process stored these first: theirs count, not ours
        report.add("skipped", len(skipped))
        report.add("analysed", -len(skipped))
        report.add("spans", -sum(len(r.spans) for r in skipped))
        store.update_run(report.run_id, report.counts, report.errors)


def _analyse_batch(
    batch: list[tuple[int, Document]], detector: Detector, report: RunReport
) -> list[tuple[int, AnalysedDocument]]:
    """One detector call for the batch; when it fails, one call per document, so a
    single bad text costs only itself (and is reported)."""
    try:
        analysed = analyze_many([doc for _, doc in batch], detector)
    except PropscopeError:  # isolated below, item by item; a bug keeps its traceback
        analysed = None
    if analysed is not None:
        return list(zip([text_id for text_id, _ in batch], analysed, strict=True))
    results = []
    for text_id, doc in batch:
        try:
            results.append((text_id, analyze_many([doc], detector)[0]))
        except PropscopeError as err:  # one bad text costs only itself
            report.fail(f"text {text_id} ({_item_name(doc)})", err)
    return results
