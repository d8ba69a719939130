"""Training examples: PTC articles as normalised documents, cut into labelled windows.

The gold spans are in raw file offsets; they are mapped once onto ``Document.text``
(the normalised text every detector reads), so training sees exactly the text that
inference will.  numpy only: the trainer turns these arrays into tensors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

from propscope.detect.neural.predict import ANY, CHANNELS
from propscope.detect.neural.windows import (
    best_window,
    make_windows,
    normalised_lower,
    span_features,
    token_range,
    tokenise,
    window_inputs,
)
from propscope.model import Document
from propscope.semeval.corpus import load_corpus
from propscope.semeval.run import gold_spans
from propscope.techniques import TECHNIQUE_NAMES

TECHNIQUE_INDEX = {name: i for i, name in enumerate(TECHNIQUE_NAMES)}


@dataclass(slots=True)
class LabelledDoc:
    """A normalised article and its gold spans ``(start, end, technique)`` in it."""

    id: str
    document: Document
    spans: list[tuple[int, int, str]]


@dataclass(slots=True)
class TrainWindow:
    """One window ready for the network: ids (with [CLS]/[SEP]), per-token channel
    targets for the window's own tokens, and the gold spans it is best placed to
    classify as ``(first row, end row, technique index, features)``."""

    ids: np.ndarray
    targets: np.ndarray  # (len(ids) - 2, channels)
    spans: list[tuple[int, int, int, np.ndarray]]


def load_labelled(ptc_dir: str | Path, ids: Sequence[str]) -> list[LabelledDoc]:
    """PTC articles ``ids`` as normalised documents with their spans mapped onto them."""
    out = []
    for article in load_corpus(ptc_dir, ids):
        doc, spans = gold_spans(article)
        out.append(LabelledDoc(article.id, doc, spans))
    return out


def doc_windows(
    tokenizer: Tokenizer, item: LabelledDoc, max_tokens: int, overlap: int
) -> list[TrainWindow]:
    """Cut one labelled document into training windows."""
    text = item.document.text
    tokens = tokenise(tokenizer, text)
    windows = make_windows(tokens, 0, max_tokens, overlap)
    targets = np.zeros((len(tokens), len(CHANNELS)), dtype=np.float32)
    lower = normalised_lower(text)
    per_window: list[list[tuple[int, int, int, np.ndarray]]] = [[] for _ in windows]
    for start, end, technique in item.spans:
        a, b = token_range(tokens, start, end)
        if b <= a:
            continue
        cls = TECHNIQUE_INDEX[technique]
        targets[a:b, ANY] = 1.0
        targets[a:b, 1 + cls] = 1.0
        if not windows:
            continue
        k = best_window(windows, a, b)
        w = windows[k]
        r0, r1 = max(a, w.start) - w.start + 1, min(b, w.end) - w.start + 1
        if r1 > r0:
            feats = span_features(lower, text[start:end], b - a)
            per_window[k].append((r0, r1, cls, feats))
    out = []
    for w, spans in zip(windows, per_window):
        ids, _ = window_inputs(tokens, w, w.length)
        out.append(TrainWindow(ids, targets[w.start : w.end].copy(), spans))
    return out
