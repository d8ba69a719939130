"""From documents to token scores to spans: the part of inference that does not care
which engine runs the network.

The ONNX runtime (:mod:`.runtime`), its torch fp32 twin (:mod:`.torch_runtime`) and the
trainer's validation all go through :class:`Pipeline`, so the three see the same
windows, the same stitching and the same decoding, and differ only in the
:class:`Engine` that turns a padded batch into numbers.

Predict and annotate are two steps (as in spaCy): :meth:`Pipeline.encode` batches
windows from many documents, sorted by length so padding stays small, and returns
per-document scores; :meth:`Pipeline.find_spans` and :meth:`Pipeline.classify` turn
scores into spans and techniques.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Protocol

import numpy as np
from tokenizers import Tokenizer

from propscope.detect.fast.counting import SubstringCounter
from propscope.detect.neural.windows import (
    N_SPAN_FEATURES,
    Stitcher,
    Tokens,
    Window,
    best_window,
    make_windows,
    normalised_lower,
    runs,
    span_features,
    token_range,
    tokenise,
    window_inputs,
)
from propscope.techniques import TECHNIQUE_NAMES

ANY = 0  # channel 0: "inside some propaganda span"; channels 1..14: one per technique
CHANNELS: tuple[str, ...] = ("any", *TECHNIQUE_NAMES)


@dataclass(slots=True)
class Settings:
    """Everything inference needs besides the weights; saved beside the model file."""

    max_tokens: int = 256
    overlap: int = 48
    batch_size: int = 16
    threshold: float = 0.5  # on the "any" channel, calibrated on held-out train articles
    max_gap: int = 1  # join two runs of active tokens this close
    min_tokens: int = 1
    split_lines: bool = True  # a span never crosses a line break
    second_threshold: float = 1.01  # emit a span's runner-up technique above this
    # Span finding from the average of the "any" score and the fast CRF's P(inside)
    # (propscope.detect.neural.blend): the CRF's share (0 = the encoder alone), and the
    # threshold and gap calibrated for the averaged score on held-out train articles.
    crf_weight: float = 0.0
    crf_threshold: float = 0.5
    crf_max_gap: int = 1
    # The fast technique model's share of a span's technique probabilities (the rest is
    # the encoder's).  0.5 was fixed before measuring; benchmarks/neural_cv.py searches
    # it by nested cross-validation, whose choices were not better, so 0.5 stays.
    fast_tech_weight: float = 0.5
    techniques: list[str] = field(default_factory=lambda: list(TECHNIQUE_NAMES))
    # Raw span score -> P(span right), fitted on articles the encoder never trained on
    # (propscope.detect.calibration); None: scores are the raw products.
    calibration: dict | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Settings:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


class Engine(Protocol):
    """What runs the network: ONNX Runtime in production, torch as the baseline.

    An engine may set ``parallel`` (default 1): how many batches the pipeline may run
    through :meth:`encode` at once, from as many threads."""

    def encode(
        self, input_ids: np.ndarray, attention_mask: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(token_logits (B, T, channels), hidden (B, T, H))`` for a padded batch."""
        ...

    def classify(self, features: np.ndarray) -> np.ndarray:
        """Technique logits ``(S, techniques)`` for pooled span features ``(S, 2H + F)``."""
        ...


@dataclass(slots=True)
class Encoded:
    """One document after the network: its tokens, windows, stitched token
    probabilities and each window's hidden states (rows include [CLS] at 0)."""

    text: str
    tokens: Tokens
    windows: list[Window]
    probs: np.ndarray  # (N, channels)
    hidden: list[np.ndarray]  # per window: (window length, H)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def softmax(x: np.ndarray) -> np.ndarray:
    z = x - x.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def technique_picks(probs: np.ndarray, second_threshold: float) -> list[int]:
    """Indices of a found span's techniques: the most likely, and the runner-up too when
    its probability reaches ``second_threshold``."""
    order = np.argsort(-probs, kind="stable")
    picks = [int(order[0])]
    if len(order) > 1 and probs[order[1]] >= second_threshold:
        picks.append(int(order[1]))
    return picks


def pool_span(hidden: np.ndarray, r0: int, r1: int, feats: np.ndarray) -> np.ndarray:
    """A span's feature vector: mean and max of its token rows, then its features.
    :func:`.model.pool_spans` is the torch twin used in training."""
    rows = hidden[r0:r1].astype(np.float32)
    return np.concatenate([rows.mean(axis=0), rows.max(axis=0), feats]).astype(np.float32)


class Pipeline:
    """Windows, batching, stitching and decoding around an :class:`Engine`."""

    def __init__(self, engine: Engine, tokenizer: Tokenizer, settings: Settings) -> None:
        self.engine = engine
        self.tokenizer = tokenizer
        self.settings = settings

    def encode(self, texts: Sequence[str]) -> list[Encoded]:
        """Run the network over every window of every text, batched across texts."""
        s = self.settings
        toks = [tokenise(self.tokenizer, text) for text in texts]
        wins = [make_windows(t, i, s.max_tokens, s.overlap) for i, t in enumerate(toks)]
        stitchers = [Stitcher(len(t), len(CHANNELS)) for t in toks]
        hidden: list[list[np.ndarray]] = [[np.empty(0)] * len(w) for w in wins]
        flat = [(d, k, w) for d, ws in enumerate(wins) for k, w in enumerate(ws)]
        flat.sort(key=lambda item: item[2].length)
        workers = max(1, int(getattr(self.engine, "parallel", 1)))
        size = max(1, min(s.batch_size, -(-len(flat) // workers)))  # every worker gets one
        batches = [flat[b : b + size] for b in range(0, len(flat), size)]

        def inputs(batch: list[tuple[int, int, Window]]) -> tuple[np.ndarray, np.ndarray]:
            length = max(w.length for _, _, w in batch)
            ids = np.zeros((len(batch), length), dtype=np.int64)
            mask = np.zeros((len(batch), length), dtype=np.int64)
            for row, (d, _, w) in enumerate(batch):
                ids[row], mask[row] = window_inputs(toks[d], w, length)
            return ids, mask

        def run(batch: list[tuple[int, int, Window]]) -> tuple[np.ndarray, np.ndarray]:
            return self.engine.encode(*inputs(batch))

        if workers > 1 and len(batches) > 1:
            with ThreadPoolExecutor(workers) as pool:
                outputs = list(pool.map(run, batches))
        else:
            outputs = [run(batch) for batch in batches]
        for batch, (logits, states) in zip(batches, outputs):
            probs = sigmoid(logits.astype(np.float32))
            for row, (d, k, w) in enumerate(batch):
                n = w.end - w.start
                stitchers[d].add(w, probs[row, 1 : 1 + n])
                hidden[d][k] = np.asarray(states[row, : n + 2], dtype=np.float32)
        return [
            Encoded(text, t, ws, st.result(), hs)
            for text, t, ws, st, hs in zip(texts, toks, wins, stitchers, hidden)
        ]

    def find_spans(
        self,
        enc: Encoded,
        threshold: float | None = None,
        *,
        max_gap: int | None = None,
        inside: np.ndarray | None = None,
    ) -> list[tuple[int, int, float]]:
        """``(start, end, score)`` of each run of tokens likely inside propaganda.
        ``inside`` replaces the encoder's "any" score per token (a blended score)."""
        s = self.settings
        thr = s.threshold if threshold is None else threshold
        gap = s.max_gap if max_gap is None else max_gap
        if len(enc.tokens) == 0:
            return []
        p = enc.probs[:, ANY] if inside is None else inside
        out = []
        breaks = enc.tokens.line_breaks if s.split_lines else None
        for a, b in runs(p >= thr, enc.tokens.words, gap, breaks):
            if b - a < s.min_tokens:
                continue
            start = int(enc.tokens.offsets[a, 0])
            end = int(enc.tokens.offsets[b - 1, 1])
            if start < end:
                out.append((start, end, float(p[a:b].mean())))
        return out

    def classify(self, enc: Encoded, spans: Sequence[tuple[int, int]]) -> np.ndarray:
        """Technique probabilities ``(len(spans), techniques)`` of given character spans,
        each pooled in the window that holds most of it."""
        n_tech = len(self.settings.techniques)
        if not spans:
            return np.zeros((0, n_tech), dtype=np.float32)
        if not enc.windows:
            return np.full((len(spans), n_tech), 1.0 / n_tech, dtype=np.float32)
        lower = normalised_lower(enc.text)
        counter = SubstringCounter(lower)
        feats = []
        for start, end in spans:
            a, b = token_range(enc.tokens, start, end)
            if b <= a:  # no token inside (spaces only): take the nearest one
                a = min(a, len(enc.tokens) - 1)
                b = a + 1
            k = best_window(enc.windows, a, b)
            w = enc.windows[k]
            r0 = max(a, w.start) - w.start + 1
            r1 = min(b, w.end) - w.start + 1
            if r1 <= r0:
                r0, r1 = 1, w.end - w.start + 1
            f = span_features(lower, enc.text[start:end], b - a, counter.count)
            feats.append(pool_span(enc.hidden[k], r0, r1, f))
        return softmax(self.engine.classify(np.stack(feats)).astype(np.float32))


def feature_size(hidden_size: int) -> int:
    """Width of a pooled span vector: mean + max + features."""
    return 2 * hidden_size + N_SPAN_FEATURES
