#!/usr/bin/env python
"""Seconds per MB and peak memory of ``propscope.analyze`` on crafted worst-case texts.

    python benchmarks/worst_case.py [--quick] [--detectors fast,neural] [--sizes 100,300,1000]

Why: a text a user pastes or a page a crawler fetches can be built to be slow (one
word repeated, a megabyte on one line, punctuation without end).  Every step of the
pipeline must stay near linear on such input, so this runs each shape at several sizes
with each detector beside a normal article of the same size (PTC articles joined),
the baseline the worst cases are read against.  Each run is a fresh subprocess, so
its peak resident memory (``ru_maxrss`` after the run minus after loading the
detector) is its own.  ``--quick`` keeps to about a minute on a 2-core machine: fast at
100 KB and 1 MB, neural at 30 KB (neural reads ~20 KB/s on 2 cores even on normal
text, so its 1 MB figures take about 15 minutes: run without --quick for them).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PTC = ROOT.parent / "shared" / "data" / "ptc" / "articles"
FALLBACK_ARTICLE = (
    "The ministry said on Tuesday that the harvest was average this year.\n"
    "Officials blamed the weather, while critics called the plan a disaster.\n"
    "\"We will never surrender to these outrageous demands,\" the minister said.\n\n"
)


def _fill(unit: str | Callable[[int], str], size: int) -> str:
    """``unit`` repeated (or ``unit(i)`` for i = 0, 1, …) up to ``size`` characters."""
    if isinstance(unit, str):
        return (unit * (size // len(unit) + 1))[:size]
    parts, total, i = [], 0, 0
    while total < size:
        parts.append(unit(i))
        total += len(parts[-1])
        i += 1
    return "".join(parts)[:size]


def _article(size: int) -> str:
    """Real PTC articles joined to ``size`` characters (a built-in text without data)."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(PTC.glob("*.txt"))[:200]]
    return _fill("\n\n".join(texts) if texts else FALLBACK_ARTICLE, size)


CASES: dict[str, Callable[[int], str]] = {
    "article (baseline)": _article,
    "repeated lexicon word": lambda n: _fill("glorious ", n),
    "short loaded lines": lambda n: _fill(lambda i: f"Evil traitors {i} lie!\n", n),
    "one huge line": lambda n: _fill(
        "the glorious leader crushed the imperialist warmongers and their puppets ", n),
    "article on one line": lambda n: _article(n).replace("\n", " "),
    "deep punctuation": lambda n: _fill("((\"'!?.,;:--", n),
    "sentences without spaces": lambda n: _fill("Traitors.Evil!Lies?Vile.", n),
    "lone surrogates": lambda n: _fill("traitor \ud800 vile \udfff ", n),
}


def _child(detector: str, case: str, size: int) -> None:
    """Run one case in this (fresh) process and print its figures as JSON."""
    import resource
    import time

    import propscope

    text = CASES[case](size)
    propscope.analyze("Warm-up: the glorious leader.", detector)  # load the detector
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    result = propscope.analyze(text, detector)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "extra_mb": (peak - base) / 1024,
                      "peak_mb": peak / 1024, "spans": len(result.spans)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="about a minute: see above")
    parser.add_argument("--detectors", default="fast,neural")
    parser.add_argument("--sizes", default="100,300,1000", help="KB, comma-separated")
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per run")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], args.child[1], int(args.child[2]))
        return
    sizes = [int(s) * 1000 for s in args.sizes.split(",")]
    quick = {"fast": [100_000, 1_000_000], "neural": [30_000]}
    print(f"{'detector':8} {'case':26} {'KB':>5} {'s':>7} {'s/MB':>7} {'+MB':>7} "
          f"{'peak MB':>8} {'spans':>7}")
    for detector in args.detectors.split(","):
        det_sizes = quick.get(detector, sizes[:1]) if args.quick else sizes
        for case in args.cases.split(","):
            for size in det_sizes:
                _run(detector, case, size, args.timeout)


def _run(detector: str, case: str, size: int, timeout: float) -> None:
    cmd = [sys.executable, __file__, "--child", detector, case, str(size)]
    label = f"{detector:8} {case:26} {size // 1000:5}"
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        print(f"{label} over {timeout:.0f} s")
        return
    except subprocess.CalledProcessError as exc:
        print(f"{label} failed: {exc.stderr.strip().splitlines()[-1:]}")
        return
    r = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"{label} {r['seconds']:7.2f} {r['seconds'] / size * 1e6:7.2f} "
          f"{r['extra_mb']:7.1f} {r['peak_mb']:8.1f} {r['spans']:7}", flush=True)


if __name__ == "__main__":
    main()
