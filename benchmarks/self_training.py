#!/usr/bin/env python
"""Does self-training help the fast CRF?  A cross-validation without leakage.

    python benchmarks/self_training.py [--data PATH] [--folds 5] [--only 0,1,2]
        [--openwebtext 400] [--kcna 0] [--tehran 0] [--min-score 0] [--limit N]
        [--variants gold,neural,self,both] [--thresholds 0.15,0.25] [--pool unseen|all]
        [--bootstrap 2000] [--work /tmp/selftrain-work] [--label-only]

Why: the pseudo-labels come from the neural detector, whose encoder trained on 248 PTC
articles (the inner train of the dev split, ``neural-v1.card.md``).  A test article
that the teacher saw would leak its gold into the pseudo-labels, so the test folds are
drawn only from the other 123 (49 inner-validation + 74 dev), split as
``cross_validation.fold_ids`` does (sorted numerically, position i in fold i % k).
The teacher is the shipped encoder with its CRF span blend, but the blend's CRF is
trained on those same 248 (as when it was calibrated), not the shipped ``fast-v1``,
which saw the 49.

For each fold the student is trained on the other 371 − fold PTC articles with the
shipped recipe (span threshold, C, second threshold from ``fast-v1``'s meta):

* ``gold``  — those articles alone (the baseline);
* ``neural`` — plus the neural teacher's pseudo-labelled unlabeled articles;
* ``self``  — plus the same articles labelled by that fold's ``gold`` model itself
  (classic self-training: nothing but the fold's own training data);
* ``both``  — plus both sets (each unlabeled article twice, once per teacher);

and scored with propscope's SemEval scorer (``cross_validation.score``), the lexicon
and the clean-up on, as shipped.  Models and pseudo-labels are cached under ``--work``.

``--pool all`` (``gold`` and ``self`` only: no neural teacher, so no article is off
limits) draws the test folds from all 371 articles, three times as many test articles;
``--score unseen`` then scores only their articles among the 123.

Results (2026-12-01, the shared 2-core CPU; web = the 400 ``unlabeled/openwebtext``
articles, +sm = 200 KCNA + 200 Tehran Times stories).  Paired difference from ``gold``,
mean ± s.d. over 5 folds (folds with a gain), SI F1 | technique-aware span F1:

    pool unseen (123 test articles; gold SI 0.384 ± 0.022, span 0.174 ± 0.015)
      neural, web          +0.007 ± 0.012 (3/5) | +0.009 ± 0.011 (3/5)
      neural, web (200)    +0.008 ± 0.017 (3/5) | +0.012 ± 0.010 (4/5)
      neural, web +sm      +0.008 ± 0.004 (5/5) | +0.003 ± 0.008 (3/5)
      neural, web +500 +500 +0.007 ± 0.008 (4/5) | +0.006 ± 0.016
      self, web            +0.008 ± 0.012 (4/5) | +0.005 ± 0.007 (4/5)
      self, web +sm        +0.006 ± 0.004 (5/5) | +0.006 ± 0.004 (5/5)
      both, web            +0.008 ± 0.010 (4/5) | +0.003 ± 0.010
    pool all (371 test articles; gold SI 0.373 ± 0.002, span 0.175 ± 0.008)
      self, web            -0.003 ± 0.006 (1/5) | -0.007 ± 0.007 (1/5)
      self, web +sm        -0.001 ± 0.006 (3/5) | -0.003 ± 0.008
      self, web, --score unseen: SI +0.007 ± 0.005 (3/3 folds holding any of the 123)

Bootstrap over the 123 (``--bootstrap 2000``): neural web +sm SI +0.007 [-0.008,
+0.023], positive in 81 % of draws.  Reading: on the 123 articles every pseudo-labelled
student gains about 0.007 SI, the fast model's own labels as much as the neural
teacher's, and the same self-training gains there while it loses over all 371.  The
neural teacher adds nothing measurable over classic self-training, which does not help:
the shipped recipe stays gold-only.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np
from cross_validation import fold_ids, report, score

from propscope.detect.fast.detector import FastDetector, shipped_model_path
from propscope.detect.fast.model import FastModel
from propscope.detect.fast.selftrain import (
    pseudo_examples,
    pseudo_label,
    unlabeled_texts,
)
from propscope.detect.fast.train import Example, TrainConfig, train
from propscope.semeval.corpus import (
    article_ids,
    load_corpus,
    resolve_ptc_dir,
    split_ids,
)
from propscope.semeval.run import predict_si, predict_spans
from propscope.semeval.scorer import score_si, score_spans


def log(line: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {line}", file=sys.stderr, flush=True)


def inner_ids(ptc: Path) -> list[str]:
    """The 248 articles the neural encoder trained on (its inner train)."""
    from propscope.detect.neural.train import inner_split

    return inner_split(split_ids(ptc, "train"))[0]


def shipped_settings() -> dict[str, float]:
    meta = FastModel.load(shipped_model_path()).meta
    return {"span_threshold": meta["span_threshold"], "tc_c": meta["config"]["tc_c"],
            "second_threshold": meta["second_threshold"]}


def fit(ptc: Path, ids: list[str], path: Path, extra: list[Example]) -> FastModel:
    """The fold model at ``path``, trained (and saved) unless already there."""
    if path.is_file():
        return FastModel.load(path)
    started = time.time()
    model = train(ptc, ids=ids, config=TrainConfig(folds=1), settings=shipped_settings(),
                  extra=extra, log=lambda line: log(f"  {line}"))
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(path)
    log(f"trained {path.name} on {len(ids)} gold + {len(extra)} pseudo articles "
        f"in {time.time() - started:.0f}s")
    return FastModel.load(path)  # as saved, so a cached and a fresh run score alike


def article_sums(detector: FastDetector, articles: list) -> dict[str, np.ndarray]:
    """Per article, the scorer's sums ``(Σ|s∩t|/|s|, |S|, Σ|s∩t|/|t|, |T|)`` for SI and
    for technique-aware spans: they add up over articles, so a bootstrap over articles
    needs no rescoring."""
    out = {}
    for key, predict, scorer in (("SI F1", predict_si, score_si),
                                 ("span F1", predict_spans, score_spans)):
        pred = predict(detector, articles)
        rows = []
        for article in articles:
            prf = scorer(article.labels, [p for p in pred if p.article_id == article.id]).overall
            rows.append((prf.precision * prf.n_pred, prf.n_pred, prf.recall * prf.n_gold,
                         prf.n_gold))
        out[key] = np.array(rows, dtype=float).reshape(-1, 4)
    return out


def _f1(sums: np.ndarray) -> np.ndarray:
    """F1 from summed ``(p_sum, n_pred, r_sum, n_gold)`` along the last axis."""
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.nan_to_num(sums[..., 0] / sums[..., 1])
        r = np.nan_to_num(sums[..., 2] / sums[..., 3])
        return np.nan_to_num(2 * p * r / (p + r))


def bootstrap(sums: dict[str, dict[str, list[np.ndarray]]], draws: int, seed: int = 13) -> None:
    """Paired bootstrap over test articles (all folds pooled, each article scored by its
    fold's model): the F1 difference of each variant from the first, with a 95 % interval
    and the share of draws in which it is positive."""
    names = list(sums)
    rng = np.random.default_rng(seed)
    first = next(iter(sums[names[0]].values()))
    n = sum(len(part) for part in first)
    picks = rng.integers(0, n, size=(draws, n))
    print(f"\npaired bootstrap over the {n} test articles ({draws} draws): "
          "difference from the first variant [95 % interval], share of draws > 0")
    for key in ("SI F1", "span F1"):
        base = np.concatenate(sums[names[0]][key])
        for name in names[1:]:
            other = np.concatenate(sums[name][key])
            diff = _f1(other[picks].sum(axis=1)) - _f1(base[picks].sum(axis=1))
            whole = _f1(other.sum(axis=0)) - _f1(base.sum(axis=0))
            lo, hi = np.percentile(diff, [2.5, 97.5])
            print(f"{key:10} {name:>16}: {whole:+.4f} [{lo:+.4f}, {hi:+.4f}], "
                  f"{(diff > 0).mean():.2f}")


def neural_teacher(ptc: Path, work: Path):  # -> NeuralDetector
    """The shipped encoder, blended with a CRF trained on its own 248 articles."""
    from propscope.detect.neural.blend import FastBlend
    from propscope.detect.neural.runtime import NeuralDetector

    crf = fit(ptc, inner_ids(ptc), work / "teacher-crf-inner248.npz", [])
    teacher = NeuralDetector.load(lexicon=False)
    teacher.blend = FastBlend(FastDetector(crf, lexicon=False))
    return teacher


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="shared data folder or ptc/ (default $PROPSCOPE_DATA)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--only", default="", help="run these folds only, e.g. 0,1,2")
    parser.add_argument("--openwebtext", type=int, default=400)
    parser.add_argument("--kcna", type=int, default=0)
    parser.add_argument("--tehran", type=int, default=0)
    parser.add_argument("--min-score", type=float, default=0.0,
                        help="drop teacher spans scored under this")
    parser.add_argument("--limit", type=int, default=0, help="at most this many pseudo articles")
    parser.add_argument("--variants", default="gold,neural,self")
    parser.add_argument("--thresholds", default="",
                        help="also score every variant at these span thresholds, e.g. 0.15,0.25")
    parser.add_argument("--pool", choices=("unseen", "all"), default="unseen",
                        help="test folds from the 123 articles the neural teacher never "
                        "saw, or (gold and self variants only) from all 371")
    parser.add_argument("--score", choices=("fold", "unseen"), default="fold",
                        help="with --pool all: score the whole test fold, or only its "
                        "articles among the 123 (the same articles as --pool unseen)")
    parser.add_argument("--bootstrap", type=int, default=0, metavar="DRAWS",
                        help="also a paired bootstrap over the pooled test articles")
    parser.add_argument("--work", type=Path, default=Path("/tmp/selftrain-work"))
    parser.add_argument("--label-only", action="store_true",
                        help="pseudo-label with the neural teacher and stop (timing)")
    args = parser.parse_args()
    args.variants = args.variants.split(",")
    args.thresholds = [float(t) for t in args.thresholds.split(",") if t]
    if args.pool == "all" and {"neural", "both"} & set(args.variants):
        parser.error("--pool all leaks the neural teacher's training articles into the "
                     "test folds: use --variants gold,self")
    return args


def neural_examples(args: argparse.Namespace, ptc: Path, texts: list) -> list[Example]:
    """The unlabeled texts as the neural teacher labels them (cached)."""
    t0 = time.time()
    labelled = pseudo_label(neural_teacher(ptc, args.work), texts,
                            args.work / "pseudo-neural-inner248.jsonl", log)
    spans = sum(len(a.spans) for a in labelled)
    log(f"neural teacher: {len(labelled)} texts, {spans} spans, {time.time() - t0:.0f}s")
    return pseudo_examples(labelled, min_score=args.min_score, limit=args.limit)


def fold_models(
    args: argparse.Namespace, ptc: Path, k: int, train_ids: list[str], models: Path,
    texts: list, neural_extra: list[Example],
) -> dict[str, FastModel]:
    """Each variant's student for fold ``k`` (trained, or loaded from ``models``)."""
    gold = fit(ptc, train_ids, models / f"gold-fold{k}-of-{args.folds}.npz", [])
    fold = {"gold": gold}
    extra: dict[str, list[Example]] = {"neural": neural_extra}
    if {"self", "both"} & set(args.variants):
        labelled = pseudo_label(FastDetector(gold, lexicon=False), texts,
                                models / f"pseudo-self-fold{k}-of-{args.folds}.jsonl", log)
        extra["self"] = pseudo_examples(labelled, min_score=args.min_score, limit=args.limit)
        # each unlabeled article twice, once per teacher
        extra["both"] = neural_extra + extra["self"]
    for name in args.variants:
        if name != "gold":
            fold[name] = fit(ptc, train_ids, student_path(models, name, args, k), extra[name])
    return fold


def student_path(models: Path, name: str, args: argparse.Namespace, k: int) -> Path:
    """Where variant ``name``'s student of fold ``k`` is cached: the name covers every
    option that changes it, the number of folds too (fold k of 3 holds out other
    articles than fold k of 5, so its student must not be reused)."""
    tag = (f"o{args.openwebtext}-k{args.kcna}-t{args.tehran}-m{args.min_score:g}"
           f"-l{args.limit}-fold{k}-of-{args.folds}")
    return models / f"{name}-{tag}.npz"


def score_fold(
    args: argparse.Namespace, fold: dict[str, FastModel], articles: list,
    results: dict[str, list], per_article: dict[str, dict[str, list[np.ndarray]]],
) -> None:
    """Score each variant on the fold's test articles, at the shipped threshold and at
    ``--thresholds``; keep per-article sums for ``--bootstrap``."""
    for name in args.variants:
        results.setdefault(name, []).append(score(FastDetector(fold[name]), articles))
        if args.bootstrap:
            for key, rows in article_sums(FastDetector(fold[name]), articles).items():
                per_article.setdefault(name, {}).setdefault(key, []).append(rows)
    for t in args.thresholds:
        for name in args.variants:
            model = fold[name]
            model = dataclasses.replace(model, meta={**model.meta, "span_threshold": t})
            results.setdefault(f"{name}@{t:g}", []).append(score(FastDetector(model), articles))


def main() -> int:
    args = parse_args()
    started = time.time()
    ptc = resolve_ptc_dir(args.data)
    texts = unlabeled_texts(ptc.parent, openwebtext=args.openwebtext, kcna=args.kcna,
                            tehran=args.tehran)
    neural_extra: list[Example] = []
    if {"neural", "both"} & set(args.variants) or args.label_only:
        neural_extra = neural_examples(args, ptc, texts)
        if args.label_only:
            return 0
    every = article_ids(ptc / "articles")
    unseen = sorted(set(every) - set(inner_ids(ptc)), key=int)
    if args.pool == "all":  # no neural teacher: no article is off limits
        pool, models = every, args.work / "models-all"
    else:
        pool, models = unseen, args.work / "models"
    parts = fold_ids(pool, args.folds)
    only = [int(k) for k in args.only.split(",") if k] or range(args.folds)
    results: dict[str, list] = {}
    per_article: dict[str, dict[str, list[np.ndarray]]] = {}
    for k in only:
        train_ids = [a for a in every if a not in set(parts[k])]
        fold = fold_models(args, ptc, k, train_ids, models, texts, neural_extra)
        test = [a for a in parts[k] if args.score == "fold" or a in set(unseen)]
        if not test:  # --score unseen: a fold of the 371 may hold none of the 123
            continue
        articles = load_corpus(ptc, test)
        score_fold(args, fold, articles, results, per_article)
        log(f"fold {k}: scored {len(articles)} test articles: " + ", ".join(
            f"{n} SI {results[n][-1]['SI F1']:.3f}" for n in args.variants))
    print(f"test folds from {len(pool)} articles ({args.pool}, scored: {args.score}); "
          f"pseudo articles: o{args.openwebtext}-k{args.kcna}-t{args.tehran}, "
          f"min score {args.min_score:g}, limit {args.limit}")
    report(results, len(next(iter(results.values()))))
    if args.bootstrap:
        bootstrap(per_article, args.bootstrap)
    print(f"\nwall time {time.time() - started:.0f}s (training included unless cached)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
