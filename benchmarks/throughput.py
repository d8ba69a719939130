#!/usr/bin/env python
"""Speed, memory and cold start of each detector on unlabeled web news.

    python benchmarks/throughput.py [--data PATH] [--detectors fast,regex] [--workers 2]

For every detector, each measured in a fresh subprocess so memory and start-up are its
own: articles/s and words/s over ``unlabeled/openwebtext`` (normalise + detect,
``--batch`` documents per ``detect`` call, in one process and in ``--workers``
processes splitting the articles), p50/p95 latency of one document alone, peak RSS,
cold start (process start to first result on one article, measured from outside),
model load time and the size of the model file.  ``regex`` is a trivial
baseline in the same run: one regular expression of emotive words, so the figures of
the real detectors have a floor to be read against.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from multiprocessing import get_context
from pathlib import Path

from propscope.detect.base import available_detectors, get_detector, register
from propscope.model import Document, Span

_EMOTIVE = re.compile(
    r"\b(?:shocking|outrageous|disgusting|evil|brutal|radical|corrupt|disaster|"
    r"catastrophic|traitors?|thugs?|invincible|immortal|glorious)\b", re.IGNORECASE)


class RegexBaseline:
    """Every emotive word of a short list is Loaded_Language: the floor."""

    name = "regex"
    version = "0"
    model_path = None

    def detect(self, docs: list[Document]) -> list[list[Span]]:
        return [[Span(m.start(), m.end(), "Loaded_Language", 0.5, self.name, "regex")
                 for m in _EMOTIVE.finditer(doc.text)] for doc in docs]


register("regex", RegexBaseline)


def _texts_dir(data: str | None) -> Path:
    from propscope.semeval.corpus import resolve_data_dir

    return resolve_data_dir(data) / "unlabeled" / "openwebtext"


def _texts(data: str | None, limit: int | None = None) -> list[str]:
    paths = sorted(_texts_dir(data).glob("*.txt"))[:limit]
    return [p.read_text(encoding="utf-8") for p in paths]


_WORKER_DETECTOR = None


def _init(name: str, batch: int) -> None:
    global _WORKER_DETECTOR, _BATCH
    _WORKER_DETECTOR = get_detector(name)
    _BATCH = batch


def _run(texts: list[str]) -> int:
    return _detect_batches(_WORKER_DETECTOR, texts, _BATCH)


_BATCH = 32


def _detect_batches(detector: object, texts: list[str], batch: int) -> int:
    """Normalise and detect ``texts`` ``batch`` documents per ``detect`` call."""
    count = 0
    for i in range(0, len(texts), batch):
        docs = [Document.from_raw(text) for text in texts[i: i + batch]]
        count += sum(len(spans) for spans in detector.detect(docs))
    return count


def measure(
    name: str, data: str | None, workers: int, batch: int, limit: int | None = None
) -> dict:
    """All figures of one detector; runs inside its own subprocess."""
    texts = _texts(data, limit)
    words = sum(len(t.split()) for t in texts)
    t0 = time.perf_counter()
    detector = get_detector(name)
    load_s = time.perf_counter() - t0
    latencies = []
    for text in texts:  # one document per call: what a user waiting on one page sees
        t1 = time.perf_counter()
        detector.detect([Document.from_raw(text)])
        latencies.append(time.perf_counter() - t1)
    started = time.perf_counter()
    spans = _detect_batches(detector, texts, batch)
    one = time.perf_counter() - started
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    multi = None
    if workers > 1:
        chunks = [texts[i::workers] for i in range(workers)]
        # spawn, not fork: a forked copy of a process that has started torch's
        # thread pool deadlocks (the neural-torch baseline hung here)
        context = get_context("spawn")
        with context.Pool(workers, initializer=_init, initargs=(name, batch)) as pool:
            pool.map(_run, [chunks[0][:2]] * workers)  # load the model in every worker
            t2 = time.perf_counter()
            pool.map(_run, chunks)
            multi = time.perf_counter() - t2
    path = getattr(detector, "model_path", None)
    # quantiles() needs two points; with one article its latency is also its p95
    p95 = statistics.quantiles(latencies, n=20)[18] if len(latencies) > 1 else latencies[0]
    return {
        "detector": name, "articles": len(texts), "words": words, "spans": spans,
        "articles_s": len(texts) / one, "words_s": words / one,
        "articles_s_multi": len(texts) / multi if multi else None,
        "p50_ms": statistics.median(latencies) * 1000, "p95_ms": p95 * 1000,
        "peak_rss_mb": peak_rss, "load_s": load_s,
        "model_mb": Path(path).stat().st_size / 1e6 if path else 0.0,
    }


def cold_start(name: str, text_path: Path) -> float:
    """Seconds from process start to the first analysed document, measured outside."""
    code = (
        "import sys, benchmarks.throughput as b\n"  # registers the baseline
        "from propscope import analyze\n"
        f"analyze(open({str(text_path)!r}, encoding='utf-8').read(), detector={name!r})\n"
    )
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=_ROOT)
    return time.perf_counter() - started


_ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="shared data folder (default $PROPSCOPE_DATA)")
    parser.add_argument("--detectors", help="comma-separated (default: all registered)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=32, help="documents per detect call")
    parser.add_argument("--limit", type=int, help="first N articles only (slow detectors)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(measure(args.worker, args.data, args.workers, args.batch, args.limit)))
        return 0
    names = args.detectors.split(",") if args.detectors else available_detectors()
    first = min(_texts_dir(args.data).glob("*.txt"))
    print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python "
          f"{platform.python_version()}, load average {os.getloadavg()[0]:.1f} at start")
    rows = []
    for name in names:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name,
               "--workers", str(args.workers), "--batch", str(args.batch)]
        cmd += ["--data", args.data] if args.data else []
        cmd += ["--limit", str(args.limit)] if args.limit else []
        done = subprocess.run(cmd, check=False, capture_output=True, text=True, cwd=_ROOT)
        if done.returncode != 0:
            print(f"skipped {name}: {done.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
            continue
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result["cold_s"] = cold_start(name, first)
        rows.append(result)
    if not rows:
        return 1
    print(f"corpus: {rows[0]['articles']} articles, {rows[0]['words']} words "
          f"(unlabeled/openwebtext)")
    print(f"batch: {args.batch} documents per detect call")
    header = (f"{'detector':12}{'art/s':>9}{f'art/s x{args.workers}':>11}{'words/s':>10}"
              f"{'p50 ms':>9}{'p95 ms':>9}{'RSS MB':>9}{'cold s':>8}{'load s':>8}"
              f"{'model MB':>10}")
    print(header)
    for r in rows:
        multi = f"{r['articles_s_multi']:.1f}" if r["articles_s_multi"] else "-"
        print(f"{r['detector']:12}{r['articles_s']:9.1f}{multi:>11}{r['words_s']:10.0f}"
              f"{r['p50_ms']:9.1f}{r['p95_ms']:9.1f}{r['peak_rss_mb']:9.0f}"
              f"{r['cold_s']:8.2f}{r['load_s']:8.2f}{r['model_mb']:10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
