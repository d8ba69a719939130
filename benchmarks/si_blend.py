"""Experiment: does averaging the encoder's "inside a span" probability with the fast
CRF's marginal P(inside) raise SI F1?

Protocol (no tuning on dev): the blend weight is fixed at 0.5 before measuring; the
decoding threshold and gap are chosen on the inner validation articles (every sixth
training article), scored with a neural model and a CRF that were both trained on
the other training articles only (``--neural`` from ``propscope train --engine neural
--refit false``, ``--fast`` from the fast trainer with ``ids=inner``).  Dev is then
scored once with those settings, with the neural model and the shipped fast model.

    python benchmarks/si_blend.py --data ../shared/data --neural build/neural-cpu \
        --fast-inner build/fast-inner.npz
"""

from __future__ import annotations

import argparse

from propscope.detect.fast.detector import FastDetector
from propscope.detect.neural.blend import blended_inside
from propscope.detect.neural.data import load_labelled
from propscope.detect.neural.runtime import NeuralDetector
from propscope.detect.neural.train import (
    CRF_WEIGHT,
    best_si_decoding,
    encode_docs,
    inner_split,
    labels_of,
    si_labels,
)
from propscope.semeval.corpus import resolve_ptc_dir, split_ids
from propscope.semeval.scorer import score_si


def si_prf(pipe, encs, docs, threshold, gap, inside=None) -> tuple[float, float, float]:
    r = score_si(labels_of(docs, False), si_labels(pipe, encs, docs, threshold, gap, inside))
    return r.overall.precision, r.overall.recall, r.overall.f1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--neural", required=True, help="model folder trained with --refit false")
    ap.add_argument("--fast-inner", required=True, help="fast model trained on the inner split")
    ap.add_argument("--fast", default=None, help="fast model for dev (default: shipped)")
    args = ap.parse_args()
    ptc = resolve_ptc_dir(args.data)
    _, val = inner_split(split_ids(ptc, "train"))
    val_docs = load_labelled(ptc, val)
    dev_docs = load_labelled(ptc, split_ids(ptc, "dev"))
    pipe = NeuralDetector.load(args.neural, lexicon=False, blend=False).pipeline
    fast_inner = FastDetector.load(args.fast_inner, lexicon=False)
    fast_dev = FastDetector.load(args.fast, lexicon=False)
    val_encs, dev_encs = encode_docs(pipe, val_docs), encode_docs(pipe, dev_docs)
    shipped = pipe.settings
    rows = []
    # the CRF's share of the span score: 0 = the encoder alone, 1 = the CRF alone
    for name, crf_share in (("neural", 0.0), ("crf", 1.0), (f"blend {CRF_WEIGHT}", CRF_WEIGHT)):
        v = [blended_inside(e, fast_inner, crf_share) for e in val_encs]
        d = [blended_inside(e, fast_dev, crf_share) for e in dev_encs]
        f1_val, thr, gap = best_si_decoding(pipe, val_encs, val_docs, v)
        rows.append((name, thr, gap, f1_val, *si_prf(pipe, dev_encs, dev_docs, thr, gap, d)))
    p, r, f1 = si_prf(pipe, dev_encs, dev_docs, shipped.threshold, shipped.max_gap)
    print(f"shipped settings (threshold {shipped.threshold}, gap {shipped.max_gap}): "
          f"dev SI P/R/F1 {p:.4f}/{r:.4f}/{f1:.4f}")
    print(f"{'SI from':<10} {'thr':>5} {'gap':>4} {'inner-val F1':>13} {'dev P':>7} "
          f"{'dev R':>7} {'dev F1':>7}")
    for name, thr, gap, fv, p, r, f1 in rows:
        print(f"{name:<10} {thr:>5.2f} {gap:>4} {fv:>13.4f} {p:>7.4f} {r:>7.4f} {f1:>7.4f}")


if __name__ == "__main__":
    main()
