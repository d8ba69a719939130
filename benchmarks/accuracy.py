#!/usr/bin/env python
"""Dev-split accuracy of every available detector, side by side.

    python benchmarks/accuracy.py [--data PATH] [--detectors fast,fast-nolex,neural]

Prints, for each detector, SI soft-overlap P/R/F1, TC micro-F1 on the gold spans,
technique-aware span P/R/F1 and per-technique F1 (spans and TC) on the fixed dev split
(:func:`propscope.semeval.corpus.dev_split`: 74 of the 371 PTC articles).  Detectors
come from the registry by name, so a new one (``neural``, a ``torch-fp32`` baseline…)
appears here once it is registered; ``fast-nolex`` is the fast detector without its
hand-written lexicon component (``neural-nolex`` likewise), to show what that component
costs or earns on PTC; ``neural-noblend`` is the encoder's technique head alone, without
the equal-weight average with the fast detector's technique model; ``fast-noclean`` and
``neural-noclean`` skip the shared span clean-up (:mod:`propscope.detect.postprocess`).  ``--candidate DIR``
adds ``candidate`` and ``candidate-noblend``: a trained model folder not yet shipped,
scored beside the shipped one in the same run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable

from propscope.detect.base import Detector, available_detectors, get_detector, register
from propscope.errors import PropscopeError
from propscope.semeval.corpus import load_corpus, resolve_ptc_dir, split_ids
from propscope.semeval.formats import Label
from propscope.semeval.run import predict_si, predict_spans, predict_tc
from propscope.semeval.scorer import Report, score_si, score_spans, score_tc
from propscope.techniques import TECHNIQUE_NAMES


def _register_variants(candidate: str | None = None) -> None:
    def fast_without_lexicon() -> Detector:
        from propscope.detect.fast import FastDetector

        return FastDetector.load(lexicon=False)

    def neural_without_lexicon() -> Detector:
        from propscope.detect.neural.runtime import NeuralDetector

        return NeuralDetector.load(lexicon=False)

    def fast_without_clean() -> Detector:
        from propscope.detect.fast import FastDetector

        return FastDetector.load(clean=False)

    def neural_without_clean() -> Detector:
        from propscope.detect.neural.runtime import NeuralDetector

        return NeuralDetector.load(clean=False)

    register("fast-nolex", fast_without_lexicon)
    register("fast-noclean", fast_without_clean)
    register("neural-noclean", neural_without_clean)
    def neural_alone() -> Detector:
        from propscope.detect.neural.runtime import NeuralDetector

        return NeuralDetector.load(blend=False)

    register("neural-nolex", neural_without_lexicon)
    register("neural-noblend", neural_alone)
    if candidate:  # a model folder not (yet) shipped, e.g. a fresh CPU training run
        from propscope.detect.neural.runtime import NeuralDetector

        register("candidate", lambda: NeuralDetector.load(candidate))
        register("candidate-noblend", lambda: NeuralDetector.load(candidate, blend=False))


def evaluate(name: str, articles: list) -> dict[str, Report | float]:
    detector = get_detector(name)
    gold = [label for article in articles for label in article.labels]
    template = [Label(g.article_id, g.start, g.end, "?") for g in gold]
    started = time.perf_counter()
    si = score_si(gold, predict_si(detector, articles))
    tc = score_tc(gold, predict_tc(detector, articles, template))
    spans = score_spans(gold, predict_spans(detector, articles))
    return {"si": si, "tc": tc, "spans": spans, "seconds": time.perf_counter() - started}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="shared data folder or ptc/ (default $PROPSCOPE_DATA)")
    parser.add_argument("--detectors", help="comma-separated registry names "
                        "(default: every registered detector plus fast-nolex)")
    parser.add_argument("--candidate", metavar="MODEL_DIR",
                        help="also offer `candidate` and `candidate-noblend`: the neural "
                        "detector loaded from this folder (a training run's output)")
    args = parser.parse_args()
    _register_variants(args.candidate)
    names = args.detectors.split(",") if args.detectors else available_detectors()
    try:
        ptc = resolve_ptc_dir(args.data)
    except PropscopeError as err:
        print(err.one_line(), file=sys.stderr)
        return 2
    articles = load_corpus(ptc, split_ids(ptc, "dev"))
    results: dict[str, dict] = {}
    for name in names:
        try:
            results[name] = evaluate(name, articles)
        except (PropscopeError, ImportError) as err:
            print(f"skipped {name}: {err}", file=sys.stderr)
    if not results:
        return 1
    print(f"dev split: {len(articles)} articles of {ptc} (ids sorted numerically, "
          f"index % 5 == 4); machine: {os.cpu_count()} cores")
    cols = list(results)
    width = max(12, *(len(c) + 2 for c in cols))

    def row(label: str, values: list[str]) -> str:
        return f"{label:40}" + "".join(f"{v:>{width}}" for v in values)

    def metric(label: str, get: Callable[[dict], float]) -> None:
        print(row(label, [f"{get(results[c]):.4f}" for c in cols]))

    print(row("", cols))
    metric("SI precision", lambda r: r["si"].overall.precision)
    metric("SI recall", lambda r: r["si"].overall.recall)
    metric("SI F1", lambda r: r["si"].overall.f1)
    metric("TC micro-F1 (gold spans)", lambda r: r["tc"].overall.f1)
    metric("span precision (technique-aware)", lambda r: r["spans"].overall.precision)
    metric("span recall (technique-aware)", lambda r: r["spans"].overall.recall)
    metric("span F1 (technique-aware)", lambda r: r["spans"].overall.f1)
    print(row("seconds (three passes)", [f"{results[c]['seconds']:.1f}" for c in cols]))
    for task, title in (("spans", "span F1 per technique"), ("tc", "TC F1 per technique")):
        print(f"\n{title}")
        print(row("", cols))
        for technique in TECHNIQUE_NAMES:
            values = []
            for c in cols:
                prf = results[c][task].per_technique.get(technique)
                values.append(f"{prf.f1:.4f}" if prf else "-")
            print(row(technique, values))
    return 0


if __name__ == "__main__":
    sys.exit(main())
