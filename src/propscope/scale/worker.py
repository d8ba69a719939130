"""What runs inside a Dask worker: its detector, its store connection, and the tasks.

Why per-process caches: a worker process loads the detector once (the neural one takes
seconds and hundreds of megabytes) and keeps one store connection, whatever the number
of tasks it runs; a task carries only a database URL, a cache key and an id range.
:class:`DetectorPlugin` loads the detector when the worker starts (and again in a
worker the nanny restarts), so a model that fails to load fails before any task.

Why a task is safe to run twice: it asks the store for the texts of its range that the
detector id has not analysed yet, and the store skips a text analysed meanwhile (the
analyses table is unique on text and detector), so a task retried after its worker was
killed, or a partition given twice, stores every text's spans once.
"""

from __future__ import annotations

import contextlib
import importlib
import threading
from collections.abc import Sequence
from datetime import date
from typing import Any

from distributed import WorkerPlugin

from propscope.batch import RunReport, analyse_batch, connection_lost, ingest_documents
from propscope.detect.base import Detector, detector_id, get_detector
from propscope.errors import StoreError
from propscope.store import Store, open_store

_DETECTORS: dict[str, Detector] = {}
_STORES: dict[str, Store] = {}
_LOCK = threading.Lock()


class DetectorPlugin(WorkerPlugin):  # type: ignore[misc]
    """A Dask worker plugin that loads the detector ``spec`` (a registered name, or a
    picklable detector) once per worker process, under ``key``, after importing
    ``imports`` (the ``propscope.scale.imports`` setting: modules that register
    detectors of one's own, as the driver's process did)."""

    def __init__(self, spec: str | Detector, key: str, imports: Sequence[str] = ()) -> None:
        self.spec = spec
        self.key = key
        self.imports = tuple(imports)
        self.name = f"propscope-detector:{key}"

    def setup(self, worker: Any = None) -> None:
        for module in self.imports:  # where custom detectors register themselves
            importlib.import_module(module)
        load_detector(self.spec, self.key)

    def teardown(self, worker: Any = None) -> None:
        _DETECTORS.pop(self.key, None)  # stores stay: another run's task may be using one


def load_detector(spec: str | Detector | None, key: str) -> Detector:
    """The detector cached under ``key`` in this process, loaded from ``spec`` on first
    use (``None``: the plugin must have loaded it; tasks do not carry detector objects)."""
    with _LOCK:
        if key not in _DETECTORS:
            if spec is None:
                raise RuntimeError(f"no detector {key!r} on this worker: its plugin did not run")
            _DETECTORS[key] = get_detector(spec)
        return _DETECTORS[key]


def loaded_detector_id(key: str) -> str | None:
    """The id of the detector this worker loaded under ``key`` (``None``: none), so the
    driver can check that every worker runs the same model."""
    found = _DETECTORS.get(key)
    return detector_id(found) if found is not None else None


def worker_store(db: str, *, fresh: bool = False) -> Store:
    """This process's store at ``db``; ``fresh`` drops the cached one first (its
    connection was lost)."""
    with _LOCK:
        if fresh and db in _STORES:
            _close_quietly(_STORES.pop(db))
        if db not in _STORES:
            _STORES[db] = open_store(db, create=False)
        return _STORES[db]


def close_stores() -> None:
    with _LOCK:
        while _STORES:
            _close_quietly(_STORES.popitem()[1])


def _close_quietly(store: Store) -> None:
    with contextlib.suppress(Exception):  # the connection is gone: nothing to save
        store.close()


def analyse_range(
    db: str,
    key: str,
    spec: str | Detector | None,
    first: int,
    last: int,
    *,
    run_id: int,
    since: date | None,
    batch_size: int,
    db_retries: int,
) -> dict[str, Any]:
    """Analyse the texts with ids in ``[first, last]`` that the detector has not
    analysed, ``batch_size`` per transaction; return the counts and item errors.

    A batch whose database connection drops is retried on a new connection, up to
    ``db_retries`` times: safe, because the store skips texts already analysed."""
    detector = load_detector(spec, key)  # already loaded by the plugin: a dict lookup
    name = detector_id(detector)
    report = RunReport(run_id, "analyze", name)
    report.counts.update({"analysed": 0, "spans": 0, "skipped": 0, "errors": 0,
                          "batch_retries": 0})
    store = worker_store(db)
    after = first - 1
    while True:
        for attempt in range(db_retries + 1):
            counts, errors = dict(report.counts), list(report.errors)
            try:
                page = store.pending(name, since=since, after_id=after, limit=batch_size)
                batch = [(text_id, doc) for text_id, doc in page if text_id <= last]
                if batch:
                    analyse_batch(store, batch, detector, report)
                break
            except StoreError as exc:
                if attempt == db_retries or not connection_lost(exc):
                    raise
                report.counts, report.errors = counts, errors
                report.add("batch_retries")
                store = worker_store(db, fresh=True)
        if not batch:
            break
        after = batch[-1][0]
        if len(batch) < batch_size:  # the range is done (or the store has no more)
            break
    return {"counts": report.counts, "errors": report.errors}


def ingest_source(db: str, source: str, options: Any, batch_size: int) -> dict[str, Any]:
    """Read, extract and store one source (a file, a WARC, a URL), as one ingest run of
    its own; the store's keys (content hash, canonical URL) make two workers storing the
    same text store it once."""
    from propscope.ingest import read_inputs

    report = ingest_documents(worker_store(db), read_inputs([source], options),
                              batch_size=batch_size)
    return {"counts": report.counts, "errors": report.errors}
