#!/usr/bin/env python
"""Technique classification (TC) only: k-fold cross-validation of recipe variants of the
fast detector's technique model over the 371 PTC training articles.

    python benchmarks/tc_cv.py [--data PATH] [--folds 5] [--variants base,rank,...]
        [--models /tmp/propscope-cv] [--per-technique]

Why: issue 11 found TC 0.54 on unseen PTC articles against 0.60 on the dev split the
recipe was tuned on; choices about the technique model need figures that no single
split gives.  The folds are ``benchmarks/cross_validation.py``'s (:func:`fold_ids`); for
each, the project's own :func:`~propscope.detect.fast.train.fit_tc` fits the technique
model on the gold spans of the other folds (the span CRF is not trained: TC is scored on
gold spans) and propscope's SemEval scorer scores TC micro-F1 and per-technique F1 on the
gold spans of the held-out fold, through the runtime's own
:meth:`~propscope.detect.fast.techniques.TechniqueModel.classify`.

With fold models of ``cross_validation.py`` cached in ``--models`` (read, never
written), each variant's technique model is also put behind that fold's CRF and the
technique-aware span F1 (found spans, SemEval "spans" metric) is scored, so a TC gain
that costs span F1 shows.  Figures are mean ± sample s.d. over folds, and the paired
difference from the first variant over the same folds.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from cross_validation import fold_ids, mean_sd, paired_difference

from propscope.detect.fast.detector import FastDetector
from propscope.detect.fast.features import EXTRAS
from propscope.detect.fast.model import FastModel
from propscope.detect.fast.train import Example, TrainConfig, fit_tc, prepare, technique_model
from propscope.semeval.corpus import Article, article_ids, load_corpus, resolve_ptc_dir
from propscope.semeval.formats import Label
from propscope.semeval.run import predict_spans
from propscope.semeval.scorer import score_spans, score_tc

SHIPPED_C = 3.0
WEIGHTS = ("balanced", "sqrt")


def variant(name: str) -> tuple[float, dict[str, str | int], bool]:
    """``(C, TrainConfig overrides, rank repeats)`` of a variant named by ``+``-joined
    parts: ``C<value>``, ``argmax`` (a repeated span gets the same technique again),
    ``offsets`` (per-technique bias offsets by 3-fold CV inside the training folds),
    a class weighting (``balanced``, ``sqrt``) and feature groups (``EXTRAS``);
    ``base`` alone is the shipped recipe (C = 3, no groups, no weights)."""
    c, rank, groups = SHIPPED_C, True, []
    overrides: dict[str, str | int] = {}
    for part in name.split("+"):
        if part == "base":
            continue
        if part == "argmax":
            rank = False
        elif part == "offsets":
            overrides["tc_offset_folds"] = 3
        elif part in WEIGHTS:
            overrides["tc_class_weight"] = part
        elif part in EXTRAS:
            groups.append(part)
        elif part.startswith("C") and part[1:].replace(".", "", 1).isdigit():
            c = float(part[1:])
        else:
            raise ValueError(f"unknown variant part {part!r}: C<value>, argmax, offsets, "
                             f"{', '.join(WEIGHTS)}, {', '.join(EXTRAS)} or base")
    if groups:
        overrides["tc_features"] = ",".join(groups)
    return c, overrides, rank


Scores = dict[str, float]


def tc_scores(tc: dict, held: Sequence[Example], rank: bool) -> tuple[float, dict[str, float]]:
    """TC micro-F1 and per-technique F1 of a fitted technique model on gold spans."""
    model = technique_model(tc)
    gold, pred = [], []
    for ex in held:
        spans = [(s, e) for s, e, _ in ex.gold]
        if rank:
            picks = [k for k, _, _ in model.classify(ex.tok, spans)]
        else:
            rows = [model.features(ex.tok, s, e) for s, e in spans]
            picks = [int(k) for k in np.argmax(model.probabilities(rows), axis=1)]
        gold.extend(Label(ex.id, s, e, t) for s, e, t in ex.gold)
        pred.extend(Label(ex.id, s, e, model.classes[k]) for (s, e), k in zip(spans, picks))
    report = score_tc(gold, pred)
    return report.overall.f1, {t: r.f1 for t, r in report.per_technique.items()}


def span_f1(fold_model: FastModel, tc: dict, articles: Sequence[Article]) -> float:
    """Technique-aware span F1 of the fold's CRF with this technique model."""
    arrays = {k: v for k, v in tc.items() if k != "tc_features"}
    model = dataclasses.replace(fold_model, **arrays,
                                meta={**fold_model.meta, "tc_features": tc["tc_features"]})
    gold = [lab for a in articles for lab in a.labels]
    return score_spans(gold, predict_spans(FastDetector(model), articles)).overall.f1


def report(results: dict[str, list[Scores]], per_technique: bool) -> None:
    cols = list(results)
    width = max(22, *(len(c) + 2 for c in cols))
    print(f"{'':42}" + "".join(f"{c:>{width}}" for c in cols))
    keys = list(dict.fromkeys(k for runs in results.values() for run in runs for k in run))
    if not per_technique:
        keys = [k for k in keys if not k.startswith("TC F1 ")]
    for key in keys:
        cells = [mean_sd([run.get(key, 0.0) for run in results[c]]) for c in cols]
        print(f"{key:42}" + "".join(f"{v:>{width}}" for v in cells))
    base = cols[0]
    print(f"\npaired difference from {base}, mean ± s.d., folds better/worse")
    for key in ("TC micro-F1", "span F1"):
        if key not in results[base][0]:
            continue
        cells = []
        for c in cols:
            diffs = [run[key] - ref[key] for run, ref in zip(results[c], results[base])]
            up, down = sum(d > 0 for d in diffs), sum(d < 0 for d in diffs)
            cells.append(f"{paired_difference(results[c], results[base], key)} {up}/{down}")
        print(f"{key:42}" + "".join(f"{v:>{width}}" for v in cells))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="shared data folder or ptc/ (default $PROPSCOPE_DATA)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--variants", default="argmax,base",
                        help="comma-separated, the first is the baseline; each a +-joined "
                        "list of parts, e.g. C1+position+sqrt (see variant())")
    parser.add_argument("--models", type=Path, default=Path("/tmp/propscope-cv"),
                        help="cross_validation.py's cached fold models, for span F1 (read only)")
    parser.add_argument("--per-technique", action="store_true", help="TC F1 of each technique")
    args = parser.parse_args()
    names = [n for n in args.variants.split(",") if n]
    try:
        recipes = {n: variant(n) for n in names}
    except ValueError as exc:
        parser.error(str(exc))
    started = time.time()
    ptc = resolve_ptc_dir(args.data)
    parts = fold_ids(article_ids(ptc / "articles"), args.folds)
    articles = {a.id: a for a in load_corpus(ptc, [i for part in parts for i in part])}
    examples = {i: prepare(a) for i, a in articles.items()}
    results: dict[str, list[Scores]] = {n: [] for n in names}
    for k, test_ids in enumerate(parts):
        train = [examples[i] for j, part in enumerate(parts) if j != k for i in part]
        held = [examples[i] for i in test_ids]
        cached = args.models / f"fold{k}-of-{args.folds}.npz"
        fold_model = FastModel.load(cached) if cached.is_file() else None
        for name in names:
            c, overrides, rank = recipes[name]
            tc = fit_tc(train, c, dataclasses.replace(TrainConfig(), **overrides))
            micro, per = tc_scores(tc, held, rank)
            run = {"TC micro-F1": micro}
            if fold_model is not None:
                run["span F1"] = span_f1(fold_model, tc, [articles[i] for i in test_ids])
            run.update({f"TC F1 {t}": f for t, f in sorted(per.items())})
            results[name].append(run)
        print(f"fold {k}: {time.time() - started:.0f}s", file=sys.stderr)
    print(f"{args.folds}-fold TC cross-validation by article over {len(examples)} PTC "
          f"articles (gold spans), mean ± s.d. over folds")
    report(results, args.per_technique)
    print(f"\nwall time {time.time() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
