"""Throughput of ingestion and analysis on the KCNA file, by stage, in documents/s.

Stages: load (read the JSONL, normalise, set furniture apart, repair fused names),
store (dedup by canonical URL and content hash, MinHash, one transaction per batch),
store again (the same source a second time: everything is already there), and
analyse (the detector over every distinct text, spans written per batch).  SQLite
always; PostgreSQL too when $PROPSCOPE_TEST_POSTGRES names a server (a scratch schema
is made and dropped).

    python benchmarks/ingest.py [--data ../shared/data] [--detector fast]
                                [--analyse-limit N]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from pg_schema import fresh_schema

from propscope.batch import analyze_store, ingest_documents
from propscope.errors import DetectorError
from propscope.ingest import load
from propscope.model import Document
from propscope.store import open_store


def _default_data() -> Path:
    env = os.environ.get("PROPSCOPE_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"


def _rate(n: int, seconds: float) -> str:
    return f"{n:>6,} in {seconds:7.2f} s = {n / seconds:8.1f} /s"


def run_backend(name: str, url: str, docs: list[Document], detector: str,
                limit: int | None) -> None:
    with open_store(url) as store:
        t0 = time.perf_counter()
        first = ingest_documents(store, docs)
        t1 = time.perf_counter()
        again = ingest_documents(store, docs)
        t2 = time.perf_counter()
        print(f"{name:10} store        {_rate(len(docs), t1 - t0)}   "
              f"({first.counts['texts_added']:,} texts, {first.counts['urls_added']:,} URLs)")
        print(f"{name:10} store again  {_rate(len(docs), t2 - t1)}   "
              f"({again.counts['texts_added']} texts added)")
        try:
            t3 = time.perf_counter()
            report = analyze_store(store, detector, limit=limit)
            t4 = time.perf_counter()
        except DetectorError as err:
            print(f"{name:10} analyse      skipped: {err.one_line()}")
            return
        print(f"{name:10} analyse      {_rate(report.counts['analysed'], t4 - t3)}   "
              f"({report.detector}, {report.counts['spans']:,} spans)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=_default_data())
    parser.add_argument("--detector", default="default")
    parser.add_argument("--analyse-limit", type=int, default=None,
                        help="analyse only this many texts (a slow detector on a small CPU)")
    args = parser.parse_args()
    source = args.data / "kcna" / "kcna-2024.jsonl"
    if not source.is_file():
        print(f"needs {source} (set PROPSCOPE_DATA or --data)", file=sys.stderr)
        return 2
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, {source.name}")
    t0 = time.perf_counter()
    items = list(load([str(source)]))
    docs = [item for item in items if isinstance(item, Document)]
    print(f"{'all':10} load+repair  {_rate(len(items), time.perf_counter() - t0)}   "
          f"({len(items) - len(docs)} item errors)")
    with tempfile.TemporaryDirectory() as tmp:
        run_backend("sqlite", str(Path(tmp) / "bench.db"), docs, args.detector,
                    args.analyse_limit)
    base = os.environ.get("PROPSCOPE_TEST_POSTGRES")
    if base:
        with fresh_schema(base) as url:
            run_backend("postgres", url, docs, args.detector, args.analyse_limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
