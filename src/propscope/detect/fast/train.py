"""Training the fast detector on the PTC: ``propscope train --engine fast``.

Steps, all on the articles given (the train part of the dev split, or all 371):

1. Cut every article once (normalised text, tokens, gold spans mapped raw→normalised).
2. Tune, by k-fold cross-validation *inside* those articles (folds by position):
   the token threshold of span decoding (SI F1), the regularisation C of the technique
   model (TC micro-F1, over :data:`C_GRID`), and the probability at which a span's
   second technique is emitted too (technique-aware span F1).
3. Fit the CRF and the technique model on all given articles with those settings and
   export them to one ``.npz`` (:mod:`propscope.detect.fast.model`).

scikit-learn is imported here only: it is a training-time dependency.  Seeds are
fixed (the CRF's L-BFGS is deterministic; the linear model's solver is seeded).
"""

from __future__ import annotations

import dataclasses
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pycrfsuite

from propscope.detect.fast.features import check_extras, span_features
from propscope.detect.fast.model import FastModel
from propscope.detect.fast.spans import TAGS, CrfTables, decode, marginals
from propscope.detect.fast.techniques import TechniqueModel
from propscope.detect.fast.tokenmodel import (
    FLAG_ATTRS,
    FLAGS,
    ID_GROUPS,
    TokenInputs,
    TokenVocab,
    build_vocab,
    crf_attributes,
    token_inputs,
)
from propscope.detect.fast.tokens import Tokenised, tokenise
from propscope.errors import TrainingError
from propscope.semeval.corpus import Article, load_corpus, resolve_ptc_dir, split_ids
from propscope.semeval.formats import Label
from propscope.semeval.run import gold_spans
from propscope.semeval.scorer import merge_spans, score_si, score_spans, score_tc

THRESHOLDS = (0.06, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3)
# 5-fold cross-validation by article over the 371 PTC articles (benchmarks/tc_cv.py)
# prefers C = 1 for TC alone (+0.004 ± 0.002 over 3 on all five folds), but the
# neural detector averages these probabilities with its own, and with a C = 1 model
# its TC micro-F1 on the dev split fell 0.6525 → 0.6439 (paired bootstrap over
# articles: P(no loss) 0.03): the grid stays until that blend is re-weighed.
C_GRID = (1.0, 3.0, 10.0)
CLASS_WEIGHTS = ("none", "balanced", "sqrt")  # TrainConfig.tc_class_weight
SECOND_GRID = (0.1, 0.15, 0.2, 0.3, 0.5, 1.01)


@dataclass(frozen=True, slots=True)
class TrainConfig:
    folds: int = 3
    seed: int = 13
    c1: float = 0.05
    c2: float = 0.05
    max_iterations: int = 100
    min_feature_count: int = 2
    min_word_count: int = 2
    max_articles: int = 0  # train on the first N articles only (smoke tests); 0 = all
    # The technique model: optional span feature groups (comma-separated names of
    # propscope.detect.fast.features.EXTRAS) and class weights: "none", "balanced"
    # (inverse class frequency) or "sqrt" (its square root).
    tc_features: str = ""
    tc_class_weight: str = "none"
    # Per-technique offsets added to the model's bias, chosen by this many folds of
    # cross-validation inside the training articles (0: none).
    tc_offset_folds: int = 0

    def __post_init__(self) -> None:
        """Refuse technique-model options that would be ignored or fail only after the
        CRF's minutes of training (a typo, one offset fold)."""
        tc_extras(self)
        if self.tc_class_weight not in CLASS_WEIGHTS:
            raise TrainingError(f"unknown tc_class_weight {self.tc_class_weight!r}; "
                                f"known: {', '.join(CLASS_WEIGHTS)}")
        if self.tc_offset_folds < 0 or self.tc_offset_folds == 1:
            raise TrainingError("tc_offset_folds is 0 (no offsets) or at least 2 folds, "
                                f"not {self.tc_offset_folds}")


@dataclass(slots=True)
class Example:
    """One article ready for training: its tokens and gold spans (normalised offsets)."""

    id: str
    tok: Tokenised
    gold: list[tuple[int, int, str]]


def prepare(article: Article) -> Example:
    doc, gold = gold_spans(article)
    return Example(article.id, tokenise(doc.text), gold)


def bio_tags(tokens: list[tuple[int, int]], merged: list[tuple[int, int]]) -> list[str]:
    """B/I/O per token: a token is in a span when it overlaps it."""
    tags = []
    previous = -1
    for start, end in tokens:
        hit = next((k for k, (a, b) in enumerate(merged) if a < end and start < b), -1)
        if hit < 0:
            tags.append("O")
        else:
            tags.append("I" if hit == previous else "B")
        previous = hit
    return tags


@dataclass(slots=True)
class SpanModel:
    vocab: TokenVocab
    tables: CrfTables

    def find(self, tok: Tokenised, threshold: float) -> list[tuple[int, int, float]]:
        inputs = token_inputs(tok, self.vocab)
        return decode(inputs, marginals(inputs, self.tables), threshold)

    def probs(self, tok: Tokenised) -> tuple[TokenInputs, np.ndarray]:
        inputs = token_inputs(tok, self.vocab)
        return inputs, marginals(inputs, self.tables)


def fit_spans(
    examples: Sequence[Example], config: TrainConfig, extra: Sequence[Example] = ()
) -> SpanModel:
    """Train the B/I/O CRF with crfsuite and export its weights to id-indexed tables.
    ``extra``: more articles for the CRF alone (pseudo-labelled ones, see
    :mod:`propscope.detect.fast.selftrain`), in its vocabulary and its sequences."""
    examples = [*examples, *extra]
    vocab = build_vocab([ex.tok for ex in examples], config.min_word_count)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "crf.model"
        train_crfsuite(examples, vocab, config, path)
        tagger = pycrfsuite.Tagger()
        tagger.open(str(path))
        info = tagger.info()
        tagger.close()
    return SpanModel(vocab, export_tables(info, vocab))


def train_crfsuite(
    examples: Sequence[Example], vocab: TokenVocab, config: TrainConfig, path: Path
) -> None:
    """Write a crfsuite model trained on ``examples`` to ``path``."""
    trainer = pycrfsuite.Trainer(verbose=False)
    for ex in examples:
        merged = merge_spans((s, e) for s, e, _ in ex.gold)
        inputs = token_inputs(ex.tok, vocab)
        for sent, attrs in zip(ex.tok.sentences, crf_attributes(inputs), strict=True):
            trainer.append(pycrfsuite.ItemSequence(attrs), bio_tags(sent.tokens, merged))
    trainer.set_params({
        "c1": config.c1, "c2": config.c2, "max_iterations": config.max_iterations,
        "feature.possible_transitions": True,
    })
    trainer.train(str(path))


def export_tables(info: Any, vocab: TokenVocab) -> CrfTables:
    """crfsuite's ``(attribute, tag) -> weight`` as arrays indexed by feature ids."""
    sizes = vocab.group_sizes()
    emissions = {g: np.zeros((sizes[g], 3), dtype=np.float32) for g in ID_GROUPS}
    flags = np.zeros((len(FLAGS), 3), dtype=np.float32)
    flag_index = {name: i for i, name in enumerate(FLAG_ATTRS)}
    tag_index = {tag: i for i, tag in enumerate(TAGS)}
    for (attr, tag), weight in info.state_features.items():
        if attr in flag_index:
            flags[flag_index[attr], tag_index[tag]] = weight
        else:
            group, _, number = attr.rpartition(":")
            emissions[group][int(number), tag_index[tag]] = weight
    transitions = np.zeros((3, 3), dtype=np.float32)
    for (source, target), weight in info.transitions.items():
        transitions[tag_index[source], tag_index[target]] = weight
    return CrfTables(emissions, flags, transitions)


def tc_extras(config: TrainConfig) -> frozenset[str]:
    """The optional span feature groups ``config`` names (checked)."""
    return check_extras(n.strip() for n in config.tc_features.split(",") if n.strip())


def _tc_data(examples: Sequence[Example], extras: frozenset[str]
             ) -> tuple[list[dict[str, float]], list[str]]:
    feats, labels = [], []
    for ex in examples:
        for start, end, technique in ex.gold:
            feats.append(span_features(ex.tok, start, end, extras))
            labels.append(technique)
    return feats, labels


def class_weights(labels: Sequence[str], how: str) -> dict[str, float] | None:
    """Per-class loss weights: ``balanced`` weighs a class by n / (k · its count), as
    scikit-learn does, ``sqrt`` by the square root of that (rare techniques count more
    without drowning the frequent ones), ``none`` leaves all at 1."""
    if how == "none":
        return None
    if how not in CLASS_WEIGHTS:
        raise TrainingError(f"unknown tc_class_weight {how!r}; known: {', '.join(CLASS_WEIGHTS)}")
    counts = Counter(labels)
    power = 1.0 if how == "balanced" else 0.5
    return {name: (len(labels) / (len(counts) * k)) ** power for name, k in counts.items()}


def fit_tc(examples: Sequence[Example], c: float, config: TrainConfig) -> dict[str, Any]:
    """A multinomial logistic regression over span features, as numpy arrays, and the
    feature groups it needs at run time (``tc_features``, kept in the model's meta)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    extras = tc_extras(config)
    feats, labels = _tc_data(examples, extras)
    counts: dict[str, int] = {}
    for row in feats:
        for name in row:
            counts[name] = counts.get(name, 0) + 1
    keep = {n for n, k in counts.items() if k >= config.min_feature_count}
    feats = [{n: v for n, v in row.items() if n in keep} for row in feats]
    vectoriser = DictVectorizer()
    matrix = vectoriser.fit_transform(feats)
    model = LogisticRegression(C=c, max_iter=1000, random_state=config.seed,
                               class_weight=class_weights(labels, config.tc_class_weight))
    model.fit(matrix, labels)
    weights, bias = model.coef_.T.astype(np.float32), model.intercept_.astype(np.float32)
    if weights.shape[1] == 1:  # two classes: one logit, the second class's score
        weights = np.hstack([np.zeros_like(weights), weights])
        bias = np.concatenate([np.zeros_like(bias), bias])
    if config.tc_offset_folds > 1:
        bias = bias + tc_offsets(examples, c, config, [str(k) for k in model.classes_])
    return {
        "tc_weights": weights,
        "tc_bias": bias,
        "tc_vocab": list(vectoriser.get_feature_names_out()),
        "tc_classes": [str(c) for c in model.classes_],
        "tc_features": sorted(extras),
    }


OFFSET_GRID = np.arange(-1.5, 1.51, 0.25)


def tc_offsets(examples: Sequence[Example], c: float, config: TrainConfig,
               classes: list[str]) -> np.ndarray:
    """Per-technique offsets to the scores, the ones that maximise accuracy (TC
    micro-F1) on out-of-fold predictions of ``config.tc_offset_folds`` folds inside
    ``examples``: coordinate ascent, two rounds over :data:`OFFSET_GRID`."""
    inner = dataclasses.replace(config, tc_offset_folds=0)
    k = config.tc_offset_folds
    scores, truth = [], []
    for fold in range(k):
        rest = [ex for i, ex in enumerate(examples) if i % k != fold]
        model = technique_model(fit_tc(rest, c, inner))
        for ex in (ex for i, ex in enumerate(examples) if i % k == fold):
            rows = [model.features(ex.tok, s, e) for s, e, _ in ex.gold]
            probs = model.probabilities(rows)
            # A technique absent from this fold's training part (a rare one) has no
            # column: it gets the floor probability, as the model would give it none.
            logp = np.full((len(rows), len(classes)), np.log(1e-9))
            for j, name in enumerate(classes):
                if name in model.classes:
                    logp[:, j] = np.log(np.maximum(probs[:, model.classes.index(name)], 1e-9))
            scores.append(logp)
            truth.extend(classes.index(t) if t in classes else -1 for _, _, t in ex.gold)
    logp, gold = np.concatenate(scores), np.array(truth)
    offsets = np.zeros(len(classes), dtype=np.float32)

    def accuracy(trial: np.ndarray) -> float:
        return float(np.mean((logp + trial).argmax(axis=1) == gold))

    for _ in range(2):
        for j in range(len(classes)):
            trials = [offsets.copy() for _ in OFFSET_GRID]
            for trial, delta in zip(trials, OFFSET_GRID):
                trial[j] = delta
            best = max(trials, key=accuracy)
            if accuracy(best) > accuracy(offsets):
                offsets = best
    return offsets


def technique_model(tc: dict[str, Any]) -> TechniqueModel:
    """The runtime technique model of :func:`fit_tc`'s arrays, without a span model."""
    return TechniqueModel(tc["tc_weights"], tc["tc_bias"], tc["tc_classes"], tc["tc_vocab"],
                          frozenset(tc["tc_features"]))


def _model(spans: SpanModel, tc: dict[str, Any], meta: dict[str, Any]) -> FastModel:
    arrays = {k: v for k, v in tc.items() if k != "tc_features"}
    return FastModel(
        span_vocab=spans.vocab.to_json(), span_pairs=spans.vocab.pairs,
        span_tables=spans.tables.pack(), meta={**meta, "tc_features": tc["tc_features"]},
        **arrays,
    )


def _labels(ex_id: str, spans: Sequence[tuple[int, int, str | None]]) -> list[Label]:
    return [Label(ex_id, s, e, t) for s, e, t in spans]


def tune(examples: Sequence[Example], config: TrainConfig,
         log: Callable[[str], None], extra: Sequence[Example] = ()) -> dict[str, Any]:
    """Cross-validate decoding threshold, C and second-technique threshold."""
    from propscope.detect.fast.detector import FastDetector

    k = config.folds
    probs: dict[str, Any] = {}
    tc_hits = {c: [0, 0] for c in C_GRID}
    fold_models = []
    for fold in range(k):
        held = [ex for i, ex in enumerate(examples) if i % k == fold]
        rest = [ex for i, ex in enumerate(examples) if i % k != fold]
        t0 = time.time()
        span_model = fit_spans(rest, config, extra)
        for ex in held:
            probs[ex.id] = span_model.probs(ex.tok)
        tcs = {}
        for c in C_GRID:
            tc = fit_tc(rest, c, config)
            tcs[c] = tc
            detector = FastDetector(_model(span_model, tc, {}), lexicon=False)
            for ex in held:
                gold = [(s, e) for s, e, _ in ex.gold]
                found = detector.classify(ex.tok.text, gold)
                tc_hits[c][0] += sum(f.technique == g[2] for f, g in zip(found, ex.gold))
                tc_hits[c][1] += len(gold)
        fold_models.append((held, span_model, tcs))
        log(f"fold {fold + 1}/{k}: {time.time() - t0:.0f}s")
    best_c = max(C_GRID, key=lambda c: tc_hits[c][0] / max(1, tc_hits[c][1]))
    tc_cv = tc_hits[best_c][0] / max(1, tc_hits[best_c][1])
    gold_labels = [lab for ex in examples for lab in _labels(ex.id, ex.gold)]
    si_by_t = {}
    for threshold in THRESHOLDS:
        pred = [Label(ex.id, s, e, None) for ex in examples
                for s, e, _ in decode(*probs[ex.id], threshold)]
        si_by_t[threshold] = score_si(gold_labels, pred).overall.f1
    best_t = max(THRESHOLDS, key=lambda t: si_by_t[t])
    spans_by_second = {}
    for second in SECOND_GRID:
        pred = []
        for held, span_model, tcs in fold_models:
            meta = {"span_threshold": best_t, "second_threshold": second}
            detector = FastDetector(_model(span_model, tcs[best_c], meta), lexicon=False)
            for ex in held:
                found = detector.label_spans(ex.tok, decode(*probs[ex.id], best_t))
                pred.extend(Label(ex.id, s.start, s.end, s.technique) for s in found)
        spans_by_second[second] = score_spans(gold_labels, pred).overall.f1
    best_second = max(SECOND_GRID, key=lambda s: spans_by_second[s])
    log(f"cv: SI F1 by threshold {_fmt(si_by_t)}; TC micro-F1 by C "
        f"{_fmt({c: h[0] / max(1, h[1]) for c, h in tc_hits.items()})}; "
        f"span F1 by second {_fmt(spans_by_second)}")
    return {
        "span_threshold": best_t, "tc_c": best_c, "second_threshold": best_second,
        "cv": {"folds": k, "si_f1": si_by_t[best_t], "tc_micro_f1": tc_cv,
               "spans_f1": spans_by_second[best_second]},
    }


def _fmt(values: dict[float, float]) -> str:
    return ", ".join(f"{k:g}: {v:.4f}" for k, v in values.items())


def train(
    data: str | Path | None = None,
    split: str = "dev",
    config: TrainConfig = TrainConfig(),
    log: Callable[[str], None] = print,
    ids: Sequence[str] | None = None,
    settings: dict[str, float] | None = None,
    extra: Sequence[Example] = (),
) -> FastModel:
    """Train on the PTC at ``data``: ``split="dev"`` holds the dev split out (trains on
    the 297 train articles), ``"all"`` trains on all 371.  ``ids`` overrides both.

    ``settings`` (``span_threshold``, ``tc_c``, ``second_threshold``) skips the inner
    tuning and fits once with them: what an outer cross-validation of a fixed recipe
    needs (``benchmarks/cross_validation.py``), at a third of the cost.

    ``extra``: pseudo-labelled articles the CRF trains on too (never the technique
    model, never scored in tuning); see :mod:`propscope.detect.fast.selftrain`."""
    started = time.time()
    ptc = resolve_ptc_dir(data)
    if ids is None:
        ids = split_ids(ptc, "train" if split == "dev" else "all")
    if config.max_articles:
        ids = list(ids)[: config.max_articles]
    articles = load_corpus(ptc, ids)
    examples = [prepare(a) for a in articles]
    log(f"prepared {len(examples)} articles in {time.time() - started:.0f}s")
    if settings is not None:
        tuned = {**settings, "cv": None}
    elif config.folds > 1:
        tuned = tune(examples, config, log, extra)
    else:
        tuned = {"span_threshold": 0.3, "tc_c": 1.0, "second_threshold": 1.01, "cv": None}
    t0 = time.time()
    span_model = fit_spans(examples, config, extra)
    tc = fit_tc(examples, tuned["tc_c"], config)
    log(f"final fit: {time.time() - t0:.0f}s")
    meta = {
        "span_threshold": tuned["span_threshold"],
        "second_threshold": tuned["second_threshold"],
        "trained_on": {"split": split, "articles": len(examples),
                       **({"pseudo_articles": len(extra)} if extra else {})},
        "config": {"folds": config.folds, "seed": config.seed, "c1": config.c1,
                   "c2": config.c2, "max_iterations": config.max_iterations,
                   "min_word_count": config.min_word_count, "tc_c": tuned["tc_c"],
                   "tc_features": config.tc_features,
                   "tc_class_weight": config.tc_class_weight,
                   "tc_offset_folds": config.tc_offset_folds},
        "cv": tuned["cv"],
        "train_seconds": round(time.time() - started, 1),
    }
    return _model(span_model, tc, meta)


def evaluate_dev(model: FastModel, data: str | Path | None = None,
                 lexicon: bool = True) -> dict[str, float]:
    """SI F1, TC micro-F1 and span F1 of ``model`` on the dev split."""
    from propscope.detect.fast.detector import FastDetector
    from propscope.semeval.run import predict_si, predict_spans, predict_tc

    ptc = resolve_ptc_dir(data)
    articles = load_corpus(ptc, split_ids(ptc, "dev"))
    gold = [lab for a in articles for lab in a.labels]
    detector = FastDetector(model, lexicon=lexicon)
    template = [Label(g.article_id, g.start, g.end, "?") for g in gold]
    return {
        "si_f1": score_si(gold, predict_si(detector, articles)).overall.f1,
        "tc_micro_f1": score_tc(gold, predict_tc(detector, articles, template)).overall.f1,
        "spans_f1": score_spans(gold, predict_spans(detector, articles)).overall.f1,
    }


def train_cli(data: str | None, split: str, output: Path, options: dict[str, str]) -> None:
    """What ``propscope train --engine fast`` runs; ``options`` are ``--set key=value``
    pairs overriding :class:`TrainConfig` fields."""
    fields = TrainConfig.__dataclass_fields__
    values: dict[str, Any] = {}
    for key, raw in options.items():
        if key not in fields:
            raise TrainingError(f"unknown fast option {key!r}; known: {', '.join(fields)}")
        kind = type(getattr(TrainConfig(), key))
        try:
            values[key] = kind(raw)
        except ValueError as exc:
            raise TrainingError(f"option {key!r} needs a {kind.__name__}, not {raw!r}") from exc
    config = TrainConfig(**values)
    model = train(data, split, config)
    if split == "dev":
        model.meta["dev"] = {k: round(v, 4) for k, v in evaluate_dev(model, data).items()}
        model.meta["dev_without_lexicon"] = {
            k: round(v, 4) for k, v in evaluate_dev(model, data, lexicon=False).items()}
        print(f"dev: {model.meta['dev']}; without lexicon: {model.meta['dev_without_lexicon']}")
    output.parent.mkdir(parents=True, exist_ok=True)
    model.save(output)
    size = output.stat().st_size
    print(f"wrote {output} ({size / 1e6:.2f} MB) in {model.meta['train_seconds']:.0f}s")
