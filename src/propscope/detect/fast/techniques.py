"""Technique labelling: a multinomial linear model over span features, in numpy.

Trained with scikit-learn (see :mod:`propscope.detect.fast.train`) and exported as a
weight matrix, so the runtime needs only numpy.  The evidence of a label is read off
the model itself: the features that pushed the chosen technique's score up most,
written for a reader ("word 'regime'", "repeated 3× in the text", "lexicon: eulogy"),
leaving out function words and punctuation, which say nothing to a reader.

:func:`rank_techniques` is the one rule, shared with the neural detector, for a span
given more than once (SemEval TC lists a span with two techniques twice): its k-th
copy gets its k-th most likely technique, not the same argmax again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TypeVar

import numpy as np

from propscope.detect.fast.features import check_extras, span_features
from propscope.detect.fast.model import FastModel
from propscope.detect.fast.tokens import STOPWORDS, Tokenised

T = TypeVar("T")


def rank_techniques(
    probs: np.ndarray, spans: Sequence[tuple[int, int]], techniques: Sequence[T]
) -> list[T]:
    """One technique per span: the most likely, except that the k-th repeat of the same
    span gets its k-th most likely technique (a span carrying two techniques is listed
    twice in SemEval TC files)."""
    seen: dict[tuple[int, int], int] = defaultdict(int)
    out = []
    for (start, end), p in zip(spans, probs):
        order = np.argsort(-p, kind="stable")
        k = seen[(start, end)]
        seen[(start, end)] += 1
        out.append(techniques[int(order[min(k, len(order) - 1)])])
    return out


class TechniqueModel:
    def __init__(self, weights: np.ndarray, bias: np.ndarray, classes: list[str],
                 vocab: list[str], extras: frozenset[str] = frozenset()) -> None:
        self.weights = weights
        self.bias = bias
        self.classes = classes
        self.index = {name: i for i, name in enumerate(vocab)}
        self.names = vocab
        self.extras = extras  # the optional feature groups it was trained with

    @classmethod
    def from_model(cls, model: FastModel) -> TechniqueModel:
        """The technique part of a model file; a model from before the optional
        feature groups names none in its meta and gets none."""
        return cls(model.tc_weights, model.tc_bias, model.tc_classes, model.tc_vocab,
                   check_extras(model.meta.get("tc_features", ())))

    def features(self, tok: Tokenised, start: int, end: int) -> list[int]:
        index = self.index
        return [index[f] for f in span_features(tok, start, end, self.extras) if f in index]

    def classify(self, tok: Tokenised, spans: Sequence[tuple[int, int]]
                 ) -> list[tuple[int, float, list[int]]]:
        """``(class index, probability, feature ids)`` for each given span (SemEval TC),
        a repeated span getting its next most likely technique (:func:`rank_techniques`)."""
        rows = [self.features(tok, start, end) for start, end in spans]
        probs = self.probabilities(rows)
        picks = rank_techniques(probs, spans, range(len(self.classes)))
        return [(k, float(p[k]), idx) for k, p, idx in zip(picks, probs, rows)]

    def probabilities(self, rows: list[list[int]]) -> np.ndarray:
        """Softmax technique probabilities, one row per span."""
        if not rows:
            return np.zeros((0, len(self.classes)), dtype=np.float32)
        scores = np.empty((len(rows), len(self.classes)), dtype=np.float32)
        for r, idx in enumerate(rows):
            scores[r] = self.weights[idx].sum(axis=0) + self.bias if idx else self.bias
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return scores

    def explain(self, idx: list[int], cls: int, tok: Tokenised, start: int, end: int,
                top: int = 2) -> str:
        """The ``top`` features that raised technique ``cls`` most, in words."""
        if not idx:
            return "prior"
        contrib = self.weights[idx, cls]
        parts: list[str] = []
        for k in np.argsort(-contrib):
            if contrib[k] <= 0 or len(parts) == top:
                break
            name = self.names[idx[k]]
            if _telling(name):
                parts.append(_describe(name, tok, start, end))
        return "; ".join(dict.fromkeys(parts)) or "prior"


_PREFIX = {
    "u": "word '{}'", "b": "words '{}'", "first": "starts '{}'", "last": "ends '{}'",
    "cl": "after '{}'", "cr": "before '{}'", "c-1": "after '{}'", "c+1": "before '{}'",
    "lex": "lexicon: {}",
}
_COVER = {"lo": "a small part of its sentence", "mid": "much of its sentence",
          "hi": "most of its sentence"}
_FLAGS = {
    "cap": "capitalised", "allcaps": "in capitals", "excl": "exclamation",
    "ques": "question", "quote": "quoted", "title": "in the title",
}


_WORDY = {"u", "b", "first", "last", "cl", "cr", "c-1", "c+1"}


def _telling(feature: str) -> bool:
    """False for cues a reader learns nothing from: function words and punctuation
    ("word 'the'", "after ','"), which the model may still weigh."""
    name, _, value = feature.partition("=")
    if name not in _WORDY:
        return True
    return any(w not in STOPWORDS and w[:1].isalnum() for w in value.split("|"))


def _describe(feature: str, tok: Tokenised, start: int, end: int) -> str:
    name, _, value = feature.partition("=")
    if name == "trep":
        count = tok.text_lower_count(tok.text[start:end].lower().strip())
        return f"repeated {count}× in the text"
    if name == "wrep":
        return "a word of it recurs in the text"
    if name == "len":
        return "1 word long" if value == "1" else f"{value} words long"
    if name == "cover":
        return _COVER.get(value, feature)
    if name in _PREFIX:
        return _PREFIX[name].format(value.replace("|", " "))
    return _FLAGS.get(name, feature)
