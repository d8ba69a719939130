"""``analyze --db postgresql://… --workers N | --cluster ADDRESS``: the driver.

The driver plans and the workers work.  It asks the store for the pending texts as id
ranges (:meth:`~propscope.store.Store.pending_ranges`: bounds only, no text), submits
one task per range, and adds up the counts the tasks return, showing progress as they
finish.  The workers read their texts from PostgreSQL, analyse them with the detector
:class:`~propscope.scale.worker.DetectorPlugin` loaded once per process, and write one
transaction per batch.

Faults, and why each ends well:

* a worker killed mid-task: Dask runs the task again on another worker; the texts the
  dead one committed are no longer pending, so the retry does the rest and nothing is
  stored twice.  (The counts of the dead attempt die with it: its texts are in the
  store, as ``propscope stats`` shows, but not in this run's ``analysed``.)
* the scheduler lost: :class:`~propscope.errors.ClusterError`; every committed batch
  stays, and the same command run again analyses only what is still pending.
* the database connection dropped mid-batch: that batch is retried on a new connection
  (:func:`propscope.scale.worker.analyse_range`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from datetime import date
from typing import Any

from propscope.batch import Progress, RunReport
from propscope.detect.base import Detector, detector_id
from propscope.errors import ClusterError
from propscope.scale.cluster import (
    dask_modules,
    merge_result,
    open_client,
    require_shared_store,
    scheduler_loss,
    setting,
)
from propscope.store import open_store


def analyze_cluster(
    db: str,
    detector: str | Detector = "default",
    since: date | None = None,
    progress: Progress | None = None,
    *,
    workers: int | None = None,
    address: str | None = None,
    client: Any = None,
    partition_size: int | None = None,
    batch_size: int | None = None,
) -> RunReport:
    """:func:`propscope.batch.analyze_store` on a Dask cluster: a new ``LocalCluster``
    of ``workers`` processes, the scheduler at ``address``, or an open ``client``.

    ``detector`` is a registered name (each worker loads it from its own model files)
    or a picklable detector.  Sizes default to the ``propscope.scale`` dask config; a
    partition is made smaller than its setting when that gives fewer than four tasks
    per worker (load balance, and a progress bar that moves), and is always a whole
    number of batches.
    Counts: ``pending``, ``partitions``, ``analysed``, ``spans``, ``skipped``,
    ``batch_retries`` (batches redone after a lost connection) and ``errors``."""
    require_shared_store(db)
    _, distributed = dask_modules()
    size = partition_size or int(setting("partition-size"))
    batch = batch_size or int(setting("batch-size"))
    opened = nullcontext(client) if client is not None else open_client(
        workers=workers, address=address)
    with (opened as dask_client, open_store(db, create=False) as store,
          _detector_on_workers(dask_client, detector, distributed) as (name, key)):
        started = time.perf_counter()
        if partition_size is None:  # enough tasks to keep every worker busy to the end
            busy = max(1, len(dask_client.scheduler_info(n_workers=-1).get("workers", {})))
            size = min(size, -(-store.count_pending(name, since) // (4 * busy)))
        # Whole batches: with the first range starting where a single process starts,
        # every batch a worker analyses is the batch a single process would, so a
        # detector whose figures depend on what is batched with what (the neural one
        # pads sentences to the longest) stores the same spans either way.
        size = max(1, -(-size // batch)) * batch
        ranges = store.pending_ranges(name, since=since, size=size)
        total = sum(count for _, _, count in ranges)
        report = RunReport(store.start_run("analyze", name), "analyze", name)
        report.counts.update({"pending": total, "partitions": len(ranges), "analysed": 0,
                              "spans": 0, "skipped": 0, "batch_retries": 0, "errors": 0})
        spec = detector if isinstance(detector, str) else None  # an object: the plugin's
        futures = {
            dask_client.submit(
                _task(), db, key, spec, first, last, run_id=report.run_id, since=since,
                batch_size=batch, db_retries=int(setting("db-retries")), pure=False,
                key=f"propscope-analyse-{report.run_id}-{first}",
            ): count
            for first, last, count in ranges
        }
        done = 0
        with scheduler_loss(dask_client, store, report, lambda: f"{done:,} of {total:,} texts"):
            for future, result in distributed.as_completed(futures, with_results=True):
                merge_result(report, result)
                done += futures[future]
                if progress:
                    progress(done, total)
        report.seconds = time.perf_counter() - started
        store.update_run(report.run_id, report.counts, report.errors, finished=True)
    if progress:
        progress(total, total)
    return report


def _task() -> Any:
    from propscope.scale.worker import analyse_range

    return analyse_range


@contextmanager
def _detector_on_workers(
    client: Any, detector: str | Detector, distributed: Any
) -> Iterator[tuple[str, str]]:
    """Register the detector plugin for the run (each worker loads the detector now,
    and a worker that joins later on joining), check that all run the same detector
    id, yield ``(detector id, key)``, and unregister it afterwards, so a long-lived
    cluster keeps no model for a run that is over (a worker's per-process detector
    cache makes the next run's load cheap)."""
    from propscope.scale.worker import DetectorPlugin, loaded_detector_id

    # One key per detector: two runs of one detector share a plugin, and its model.
    key = detector if isinstance(detector, str) else detector_id(detector)
    plugin = DetectorPlugin(detector, key, setting("imports"))
    try:
        try:
            client.register_plugin(plugin)
            ids = set(client.run(loaded_detector_id, key).values())
        except (OSError, distributed.TimeoutError) as exc:
            raise ClusterError(f"lost the Dask scheduler while loading the detector: {exc}",
                               fix="check the scheduler, then run the command again") from exc
        ids.discard(None)
        if len(ids) != 1:
            raise ClusterError(
                f"the workers run different detectors: {', '.join(sorted(ids)) or 'none'}",
                fix="give every worker the same model files and propscope version",
            )
        yield ids.pop(), key
    finally:
        if client.status == "running":  # not when the scheduler is gone (or going)
            with suppress(Exception):
                client.unregister_worker_plugin(plugin.name)
