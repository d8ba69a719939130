"""``ingest SOURCES --db postgresql://… --workers N | --cluster ADDRESS``: the driver.

One task per source — a file (a JSON-lines shard, a WARC file, a CSV), a URL, each file
of a folder — so the reading and the extraction, the slow parts, run in parallel, and
each worker stores what it read.  Two workers that meet the same text (the same story
in two shards) both ask the store to add it, and the store's keys decide: one row per
content hash and one per canonical URL, whoever commits first.  Each task is an ingest
run of its own in the store; the driver adds their counts up for the report.

What stays per worker: the near-duplicate index (built from the store when the task
starts), so two near-duplicates first stored by two workers at the same moment are not
linked; run ``ingest`` again, or a single process, when that matters.
"""

from __future__ import annotations

import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from propscope.batch import INGEST_BATCH, Progress, RunReport
from propscope.errors import UsageError
from propscope.ingest.types import IngestOptions
from propscope.scale.cluster import (
    dask_modules,
    merge_result,
    open_client,
    require_shared_store,
    scheduler_loss,
)
from propscope.store import open_store


def split_sources(sources: list[str]) -> list[str]:
    """Each source as one task: a folder's files (sorted, hidden ones left out) one by
    one, anything else as given.  Standard input cannot be shared by workers."""
    tasks: list[str] = []
    for source in sources:
        if source == "-":
            raise UsageError("standard input (-) cannot be read by cluster workers",
                             fix="save it to a file the workers can read")
        path = Path(source)
        if path.is_dir():
            tasks.extend(str(p) for p in sorted(path.rglob("*"))
                         if p.is_file() and not any(part.startswith(".") for part in
                                                    p.relative_to(path).parts))
        else:
            tasks.append(source)
    return list(dict.fromkeys(tasks))


def ingest_cluster(
    db: str,
    sources: list[str],
    options: IngestOptions | None = None,
    progress: Progress | None = None,
    *,
    workers: int | None = None,
    address: str | None = None,
    client: Any = None,
    batch_size: int = INGEST_BATCH,
) -> RunReport:
    """Store every document of ``sources`` from Dask workers into the PostgreSQL store
    at ``db``; return the summed counts (the run id is the driver's own run, whose
    counts are the totals).  Files must be readable at the same path on every worker."""
    require_shared_store(db)
    _, distributed = dask_modules()
    tasks = split_sources(sources)
    options = options or IngestOptions()
    opened = nullcontext(client) if client is not None else open_client(
        workers=workers, address=address)
    with opened as dask_client, open_store(db) as store:
        from propscope.scale.worker import ingest_source

        started = time.perf_counter()
        report = RunReport(store.start_run("ingest"), "ingest")
        report.counts["sources"] = len(tasks)
        futures = [dask_client.submit(ingest_source, db, source, options, batch_size, pure=False,
                                 key=f"propscope-ingest-{report.run_id}-{i}")
                   for i, source in enumerate(tasks)]
        done = 0
        with scheduler_loss(dask_client, store, report,
                            lambda: f"{done:,} of {len(tasks):,} sources"):
            for _, result in distributed.as_completed(futures, with_results=True):
                merge_result(report, result)
                done += 1
                if progress:
                    progress(report.counts.get("documents", 0), None)
        report.seconds = time.perf_counter() - started
        store.update_run(report.run_id, report.counts, report.errors, finished=True)
    return report
