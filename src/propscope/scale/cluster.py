"""Connecting to Dask: a ``LocalCluster`` of N processes or an existing scheduler.

Why a module of its own: both drivers (:mod:`propscope.scale.analyze`,
:mod:`propscope.scale.ingest`) need the same three things, each easy to get wrong —
dask imported only when a cluster is asked for (it is an optional extra), failures to
reach a scheduler turned into one :class:`~propscope.errors.ClusterError` that says
what to do, and settings read the Dask way (``dask.config``: YAML files in
``~/.config/dask`` or ``DASK_PROPSCOPE__…`` environment variables), so a cluster's
operators configure propscope where they configure Dask.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from propscope.batch import MAX_STORED_ERRORS, RunReport
from propscope.errors import ClusterError, UsageError
from propscope.store import is_postgres_url
from propscope.store.dedup import redact

DEFAULTS: dict[str, Any] = {
    "partition-size": 512,  # texts per task: ~10 s of the fast detector, ~2 min of neural
    "batch-size": 64,  # texts per transaction inside a task
    "db-retries": 3,  # a batch retried this often on a new connection when the link drops
    "dashboard": None,  # e.g. ":8787" for --workers: the Dask dashboard's address
    "imports": [],  # modules each worker imports first: where custom detectors register
}
"""``propscope.scale.*`` in dask config; e.g. ``DASK_PROPSCOPE__SCALE__PARTITION_SIZE=2000``."""


def dask_modules() -> tuple[Any, Any]:
    """``(dask, distributed)``, or a :class:`ClusterError` naming the extra to install."""
    try:
        import dask
        import distributed
    except ImportError as exc:
        raise ClusterError("running on a cluster needs dask[distributed]",
                           fix="pip install 'propscope[scale]'") from exc
    _register_defaults()
    return dask, distributed


@functools.cache
def _register_defaults() -> None:
    """Once per process: each call of ``update_defaults`` appends to dask's list."""
    import dask

    dask.config.update_defaults({"propscope": {"scale": dict(DEFAULTS)}})


def setting(name: str) -> Any:
    """One ``propscope.scale`` setting from dask config (environment included)."""
    dask, _ = dask_modules()
    return dask.config.get(f"propscope.scale.{name}")


def require_shared_store(db: str) -> None:
    """Refuse a store that several processes cannot write at once.

    Why refuse rather than route SQLite through one writer: every worker would send its
    spans to one process, the file's single writer would be the ceiling, and a lost
    driver would lose the queue; PostgreSQL takes concurrent transactions and its
    uniqueness constraints keep retried tasks from storing anything twice."""
    if not is_postgres_url(db):
        raise ClusterError(
            f"a cluster run needs a database every worker can write: {db} is SQLite",
            fix="use PostgreSQL (--db postgresql://…), or run without --workers/--cluster",
        )


def check_choice(workers: int | None, address: str | None) -> None:
    if workers is not None and address is not None:
        raise UsageError("give either --workers or --cluster, not both")
    if workers is not None and workers < 1:
        raise UsageError("--workers must be at least 1")


def local_cluster(workers: int) -> Any:
    """A ``LocalCluster`` of ``workers`` processes, one Dask thread each, and one
    detector thread each (``PROPSCOPE_THREADS=1``: the neural detector otherwise runs a
    batch per core in every worker, and N workers would ask for N × cores)."""
    _, distributed = dask_modules()
    return distributed.LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True,
        dashboard_address=setting("dashboard"), env={"PROPSCOPE_THREADS": "1"},
    )


@contextmanager
def open_client(*, workers: int | None = None, address: str | None = None) -> Iterator[Any]:
    """A ``distributed.Client``: on a new ``LocalCluster`` of ``workers`` processes with
    one thread each (a detector is CPU-bound and not thread-safe by contract), or on the
    scheduler at ``address`` (``tcp://host:8786``).  Closed (and the local cluster shut
    down) on exit."""
    check_choice(workers, address)
    _, distributed = dask_modules()
    if address is not None:
        try:
            client = distributed.Client(address, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise ClusterError(f"no Dask scheduler answers at {redact(address)}: {exc}",
                               fix="start one with `dask scheduler`, or check the address"
                               ) from exc
        try:
            yield client
        finally:
            client.close()
        return
    cluster = local_cluster(workers or 1)
    try:
        with distributed.Client(cluster) as client:
            yield client
    finally:
        cluster.close()


def merge_result(report: RunReport, result: dict[str, Any] | BaseException) -> None:
    """Add a task's counts and item errors to the run's report (errors capped).  A
    cancelled future (the scheduler went away) comes as its exception: raised here."""
    if isinstance(result, BaseException):
        raise result
    for key, value in result["counts"].items():
        report.add(key, value)
    room = max(0, MAX_STORED_ERRORS - len(report.errors))
    report.errors.extend(result["errors"][:room])


@contextmanager
def scheduler_loss(
    client: Any, store: Any, report: RunReport, done: Callable[[], str]
) -> Iterator[None]:
    """Turn a lost scheduler (futures cancelled, connection closed) into a
    :class:`ClusterError` after saving the counts so far; work a task committed stays.
    An error a task raised itself, while the scheduler is there, passes unchanged (a
    bug keeps its traceback; a propscope error its own code)."""
    _, distributed = dask_modules()
    from concurrent.futures import CancelledError

    lost: tuple[type[BaseException], ...] = (CancelledError, OSError,
                                             distributed.comm.CommClosedError)
    try:
        yield
    except distributed.KilledWorker as exc:
        store.update_run(report.run_id, report.counts, report.errors)
        raise ClusterError(
            f"a partition killed every worker that ran it ({exc})",
            fix="check the workers' memory and logs; the rerun resumes where this stopped",
        ) from exc
    except lost as exc:
        if client.status == "running" and not isinstance(exc, CancelledError):
            raise  # the task's own error, not the scheduler's
        store.update_run(report.run_id, report.counts, report.errors)
        raise ClusterError(
            f"lost the Dask scheduler after {done()}: {exc or type(exc).__name__}",
            fix="start the scheduler and workers again and rerun the same command: "
                "it skips what is already stored",
        ) from exc
