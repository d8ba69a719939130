#!/usr/bin/env python
"""Corpus analytics: quality on a hand-annotated gold set, and speed per stage.

    python benchmarks/analytics.py gold  [--data ../shared/data]
    python benchmarks/analytics.py speed [--data ../shared/data] [--file kcna/kcna-2024.jsonl]
                                         [--limit 3000] [--analyse-limit 300]
                                         [--detector fast] [--text-field title]

``gold`` reads the stories named in ``tests/analytics/gold/*.json`` (file, line,
SHA-1 prefix of the stored text; offsets only, no text) from the KCNA files as
``propscope ingest`` reads them, and prints precision and recall of appearances
(leader and event type), of the officials in order (an official counts when named at
the same position), the share of right days, and precision and recall of the target
each gold hostile span is resolved to.

``speed`` stores the first ``--limit`` documents of ``--file`` in a scratch SQLite
file (and a scratch PostgreSQL schema when $PROPSCOPE_TEST_POSTGRES names a server),
analyses ``--analyse-limit`` of them with ``--detector`` (targets need spans), then
times each analytics stage (documents/s), the aggregation of the report, and a rerun
that finds nothing new (the incremental path), and prints peak memory.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from propscope.analytics.appearances import find_appearance
from propscope.analytics.leaders import find_mentions
from propscope.analytics.lexicon import load_lexicon
from propscope.analytics.targets import find_attacks
from propscope.ingest import load
from propscope.model import Document

GOLD = Path(__file__).resolve().parents[1] / "tests" / "analytics" / "gold"


def _default_data() -> Path:
    env = os.environ.get("PROPSCOPE_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"


def _stories(data: Path, gold: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], Document]]:
    """Each gold story with its document, read as ``propscope ingest`` reads it."""
    wanted: dict[str, dict[int, dict[str, Any]]] = {}
    for item in gold:
        wanted.setdefault(item["file"], {})[item["line"]] = item
    for name, lines in wanted.items():
        last = max(lines)
        for i, doc in enumerate(load([str(data / "kcna" / name)])):
            if i in lines:
                if not isinstance(doc, Document):
                    sys.exit(f"{name}:{i} did not load: {doc.error}")  # type: ignore[attr-defined]
                sha = hashlib.sha1(doc.text.encode()).hexdigest()[:12]
                if sha != lines[i]["sha1"]:
                    sys.exit(f"{name}:{i}: the stored text changed (SHA-1 {sha}, gold "
                             f"{lines[i]['sha1']}): ingestion reads it differently now")
                yield lines[i], doc
            if i >= last:
                break


def _pr(tp: int, predicted: int, gold: int) -> str:
    p = tp / predicted if predicted else 0.0
    r = tp / gold if gold else 0.0
    return f"P {p:.3f} ({tp}/{predicted})  R {r:.3f} ({tp}/{gold})"


def gold(data: Path) -> None:
    lexicon = load_lexicon()
    appearances = json.loads((GOLD / "kcna-appearances.json").read_text())["stories"]
    tp = predicted = expected = days = 0
    off_ok = off_pred = off_gold = 0
    misses = []
    for item, doc in _stories(data, appearances):
        want = item["appearance"]
        got = find_appearance(doc.text, find_mentions(doc.text, lexicon, doc.published),
                              lexicon, doc.published)
        predicted += got is not None
        expected += want is not None
        if got is not None and want is not None and (got.person, got.event) == (
                want["person"], want["event"]):
            tp += 1
            days += (got.day.isoformat() if got.day else None) == want["day"]
        elif got is not None or want is not None:
            misses.append(f"  {item['file']}:{item['line']}: gold "
                          f"{want and (want['person'], want['event'])}, found "
                          f"{got and (got.person, got.event)}")
        names = [o.name for o in got.officials if o.role == "accompanied"] if got else []
        wanted = [" ".join(doc.text[s:e].split()) for s, e in want["officials"]] if want else []
        off_pred += len(names)
        off_gold += len(wanted)
        off_ok += sum(a == b for a, b in zip(names, wanted))
    print(f"appearances ({len(appearances)} stories, {expected} with an appearance)")
    print(f"  leader + event type   {_pr(tp, predicted, expected)}")
    print(f"  day right             {days}/{tp}")
    print(f"  officials in order    {_pr(off_ok, off_pred, off_gold)}")
    print("\n".join(misses))
    targets = json.loads((GOLD / "kcna-targets.json").read_text())["stories"]
    ok = found = total = 0
    for item, doc in _stories(data, targets):
        for span in item["attacks"]:
            total += 1
            got = find_attacks(doc.text, [(span["start"], span["end"], span["technique"])],
                               lexicon)
            found += bool(got)
            ok += bool(got) and got[0].target == span["target"]
    print(f"targets ({len(targets)} stories, {total} hostile spans)")
    print(f"  target of the span    {_pr(ok, found, total)}")


def _rate(n: int, seconds: float) -> str:
    return f"{n:>7,} in {seconds:7.2f} s = {n / max(seconds, 1e-9):8.1f} /s"


def speed_on(name: str, url: str, docs: list[Document], detector: str, limit: int) -> None:
    from propscope.analytics.db import FactTable
    from propscope.analytics.reporting import report
    from propscope.analytics.stages import STAGES, update
    from propscope.batch import analyze_store, ingest_documents
    from propscope.store import open_store

    lexicon = load_lexicon()
    with open_store(url) as store:
        t0 = time.perf_counter()
        stored = ingest_documents(store, docs).counts["texts_added"]
        print(f"{name:9} ingest         {_rate(len(docs), time.perf_counter() - t0)}")
        if limit:
            t0 = time.perf_counter()
            done = analyze_store(store, detector, limit=limit).counts["analysed"]
            print(f"{name:9} analyse        {_rate(done, time.perf_counter() - t0)}  ({detector})")
        used = store.detectors()
        table = FactTable(store)
        for stage in STAGES:
            t0 = time.perf_counter()
            n = update(table, lexicon, detector=used[0] if used else None, stages=[stage])[stage]
            print(f"{name:9} {stage:14} {_rate(n, time.perf_counter() - t0)}")
        t0 = time.perf_counter()
        report(store, lexicon=lexicon, refresh=False)
        print(f"{name:9} aggregate      {_rate(stored, time.perf_counter() - t0)}  (texts)")
        t0 = time.perf_counter()
        again = report(store, lexicon=lexicon)
        print(f"{name:9} rerun          {time.perf_counter() - t0:7.2f} s, read "
              f"{sum(again.meta['texts_read_now'].values())} texts")


def speed(data: Path, file: str, limit: int, analyse: int, detector: str,
          text_field: str = "text") -> None:
    from propscope.ingest.types import IngestOptions

    options = IngestOptions(text_field=text_field)
    docs = [d for d in itertools.islice(load([str(data / file)], options), limit)
            if isinstance(d, Document)]
    print(f"{len(docs):,} documents of {file}")
    with tempfile.TemporaryDirectory() as tmp:
        speed_on("sqlite", str(Path(tmp) / "bench.db"), docs, detector, analyse)
    base = os.environ.get("PROPSCOPE_TEST_POSTGRES")
    if base:
        from pg_schema import fresh_schema  # beside this script (tests import it by path)

        with fresh_schema(base) as url:
            speed_on("postgres", url, docs, detector, analyse)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=("gold", "speed"))
    parser.add_argument("--data", type=Path, default=_default_data())
    parser.add_argument("--file", default="kcna/kcna-2024.jsonl")
    parser.add_argument("--limit", type=int, default=3000)
    parser.add_argument("--analyse-limit", type=int, default=300)
    parser.add_argument("--detector", default="fast")
    parser.add_argument("--text-field", default="text",
                        help="title for the headline file, which has no text")
    args = parser.parse_args()
    if not (args.data / "kcna").is_dir():
        sys.exit(f"no KCNA data under {args.data} (set PROPSCOPE_DATA or --data)")
    if args.what == "gold":
        gold(args.data)
    else:
        speed(args.data, args.file, args.limit, args.analyse_limit, args.detector,
              args.text_field)


if __name__ == "__main__":
    main()
