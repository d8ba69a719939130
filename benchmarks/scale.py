#!/usr/bin/env python
"""One process against a Dask cluster on the same pending texts, and PostgreSQL's span
insert rate with concurrent writers: the measured parts of docs/scale.md's projection.

    python benchmarks/scale.py --db postgresql://… [--data PATH] [-n 2000]
        [--detector fast] [--workers 2] [--partition-size N]

The first ``-n`` articles of the Tehran Times corpus are stored twice, in two fresh
schemas of the server at ``--db`` (dropped at the end); one is analysed by one process
(:func:`propscope.batch.analyze_store`), the other by a ``LocalCluster`` of
``--workers`` processes with one thread each (:func:`propscope.scale.analyze_cluster`),
started before the clock starts (its start-up is printed on its own).  Printed: texts/s
each way, the speed-up, the overhead per task (cluster wall time less the ideal
single/workers, divided by the tasks one worker ran) beside Dask's own cost of an
empty task, whether both stored the same
spans, then spans/s written by 1 and by ``--workers`` concurrent writers (64 texts
per transaction, the runner's batch) and the load average, which on a shared machine
says how much of the figures is contention.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import sys
import threading
import time
from pathlib import Path

from pg_schema import fresh_schema

from propscope.batch import ANALYSE_BATCH, analyze_store, ingest_documents
from propscope.detect.base import detector_id, get_detector
from propscope.model import AnalysedDocument, Document, Span
from propscope.store import open_store

# ../shared/data beside the repository (benchmarks/ is one level down), or $PROPSCOPE_DATA
DATA = Path(os.environ.get("PROPSCOPE_DATA") or Path(__file__).resolve().parents[2]
            / "shared" / "data") / "tehran-times" / "tehran-times.jsonl"
SPANS = ("SELECT text_id, detector, start_char, end_char, technique, score FROM spans"
         " ORDER BY 1, 3, 4, 5")


def articles(path: Path, n: int) -> list[Document]:
    docs = []
    with path.open(encoding="utf-8") as lines:
        for line in itertools.islice(lines, n):
            record = json.loads(line)
            docs.append(Document(text=record["text"], url=record.get("url"),
                                 title=record.get("title"), outlet=record.get("outlet")))
    return docs


def spans_of(url: str) -> list[tuple[object, ...]]:
    with open_store(url) as store:
        return [tuple(r) for r in store._execute(SPANS).fetchall()]  # type: ignore[attr-defined]


def insert_rate(url: str, writers: int, texts: int = 1536, spans_each: int = 10) -> float:
    """Spans/s that ``writers`` threads, each with its own store (connection), write
    through ``save_analyses`` in transactions of the runner's batch size."""
    with open_store(url) as store:
        ingest_documents(store, [Document(text=f"text {i} " + "word " * 40, url=None)
                                 for i in range(texts)], near_duplicates=False)
        run = store.start_run("analyze", "bench.v1")
    share = texts // writers

    def write(part: int) -> None:
        with open_store(url) as own:
            ids = range(1 + part * share, 1 + (part + 1) * share)
            for start in range(0, len(ids), ANALYSE_BATCH):
                batch = [(i, AnalysedDocument(
                    Document(text="x" * 200, id=str(i)),
                    [Span(j * 10, j * 10 + 5, "Loaded_Language", 0.5, "bench.v1", "")
                     for j in range(spans_each)], "bench.v1"))
                    for i in ids[start:start + ANALYSE_BATCH]]
                own.save_analyses(run, batch, {}, [])

    threads = [threading.Thread(target=write, args=(k,)) for k in range(writers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return writers * share * spans_each / (time.perf_counter() - started)


NOOP_TASKS = 500


def _noop(i: int) -> int:
    return i


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=os.environ.get("PROPSCOPE_TEST_POSTGRES"),
                        help="a postgresql:// URL (default: $PROPSCOPE_TEST_POSTGRES)")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("-n", type=int, default=2000, help="articles")
    parser.add_argument("--detector", default="fast")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--partition-size", type=int, default=None)
    args = parser.parse_args()
    if not args.db:
        parser.error("give --db postgresql://… or set PROPSCOPE_TEST_POSTGRES")
    import distributed

    from propscope.scale import analyze_cluster
    from propscope.scale.cluster import local_cluster

    docs = articles(args.data, args.n)
    name = detector_id(get_detector(args.detector))
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average at start {os.getloadavg()[0]:.2f}")
    with fresh_schema(args.db) as single, fresh_schema(args.db) as multi:
        for url in (single, multi):
            with open_store(url) as store:
                ingest_documents(store, docs, near_duplicates=False)
        with open_store(single) as store:
            pending = store.count_pending(name)
            one = analyze_store(store, args.detector)
        started = time.perf_counter()
        with local_cluster(args.workers) as cluster, distributed.Client(cluster) as client:
            startup = time.perf_counter() - started
            started = time.perf_counter()
            client.gather(client.map(_noop, range(NOOP_TASKS), pure=False))
            noop = (time.perf_counter() - started) / NOOP_TASKS
            analyze_cluster(multi, args.detector, client=client,
                            partition_size=args.partition_size)  # warm: loads the detector
            with open_store(multi) as store:
                store._execute("DELETE FROM spans")  # type: ignore[attr-defined]
                store._execute("DELETE FROM analyses")  # type: ignore[attr-defined]
            many = analyze_cluster(multi, args.detector, client=client,
                                   partition_size=args.partition_size)
        same = spans_of(single) == spans_of(multi)
        with fresh_schema(args.db) as one_writer, fresh_schema(args.db) as many_writers:
            rate_one = insert_rate(one_writer, 1)
            rate_many = insert_rate(many_writers, args.workers)
    tasks = many.counts["partitions"]
    ideal = one.seconds / args.workers
    per_task = (many.seconds - ideal) / max(1, tasks / args.workers)
    print(f"texts: {pending} pending ({args.n} articles), detector {name}")
    print(f"one process:       {one.seconds:6.1f} s  {pending / one.seconds:7.1f} texts/s")
    print(f"{args.workers} workers (1 thread): {many.seconds:6.1f} s  "
          f"{pending / many.seconds:7.1f} texts/s  speed-up {one.seconds / many.seconds:.2f}x"
          f"  ({tasks} tasks; cluster start-up "
          f"{startup:.1f} s, not counted)")
    print(f"overhead per task: {per_task * 1000:.0f} ms (wall less ideal, per task a worker ran);"
          f" Dask alone: {noop * 1000:.1f} ms per empty task ({NOOP_TASKS} mapped)")
    print(f"same spans stored: {same} ({many.counts['spans']} spans)")
    print(f"PostgreSQL span inserts: {rate_one:,.0f}/s one writer, {rate_many:,.0f}/s "
          f"{args.workers} writers")
    print(f"load average at end {os.getloadavg()[0]:.2f}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
