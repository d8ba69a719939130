"""The fast detector's opinions, folded into the neural detector's.

Two averages, both with weights fixed before measuring (never tuned on dev):

* **techniques** — the encoder's technique probabilities for a span averaged with the
  fast detector's linear technique model.  The bag-of-words model is the better judge
  of Repetition, Doubt and the rare argument-shaped techniques, the encoder of the
  emotive ones.
* **spans** — the encoder's per-token "inside some propaganda" score averaged with the
  fast CRF's marginal ``P(inside)`` of the word under each token, when the model's
  settings give the CRF a share (``crf_weight``) and a threshold calibrated for the
  average on held-out training articles.  The CRF sees whole-article features
  (repetition, sentence cover, lexicon lists) that a 192-token window does not.

Numpy only: this runs at inference time, beside ONNX Runtime.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from propscope.detect.fast import FastDetector
from propscope.detect.fast.spans import O, marginals
from propscope.detect.fast.tokenmodel import token_inputs
from propscope.detect.fast.tokens import Tokenised, tokenise
from propscope.detect.neural.predict import ANY, Encoded


def crf_inside(
    fast: FastDetector, text: str, offsets: np.ndarray, tok: Tokenised | None = None
) -> np.ndarray:
    """The CRF's ``P(inside a span)`` of the fast-detector word under each encoder
    token (``offsets``: ``(N, 2)`` code points), 0 where no word covers its start.
    ``tok``: the text already tokenised for the fast detector, if it is at hand."""
    out = np.zeros(len(offsets))
    inputs = token_inputs(tokenise(text) if tok is None else tok, fast.vocab)
    if len(inputs) == 0 or len(offsets) == 0:
        return out
    p_in = 1.0 - marginals(inputs, fast.tables)[:, O]
    starts = np.asarray(offsets)[:, 0]
    idx = np.searchsorted(inputs.ends, starts, side="right")
    hit = idx < len(inputs)
    hit[hit] = inputs.starts[idx[hit]] <= starts[hit]
    out[hit] = p_in[idx[hit]]
    return out


def blended_inside(
    enc: Encoded, fast: FastDetector, crf_weight: float, tok: Tokenised | None = None
) -> np.ndarray:
    """``(1 - w) · encoder "any" + w · CRF P(inside)`` per encoder token."""
    crf = crf_inside(fast, enc.text, enc.tokens.offsets, tok)
    return (1.0 - crf_weight) * enc.probs[:, ANY] + crf_weight * crf


class FastBlend:
    """The shipped fast model, loaded once, for both averages."""

    def __init__(self, fast: FastDetector | None = None) -> None:
        self.fast = fast or FastDetector.load(lexicon=False)

    def techniques(
        self, probs: np.ndarray, text: str, pairs: Sequence[tuple[int, int]],
        techniques: Sequence[str], tok: Tokenised | None = None,
    ) -> np.ndarray:
        """Equal-weight average of technique probabilities for the spans ``pairs``."""
        if not len(pairs):
            return probs
        model = self.fast.techniques
        tok = tokenise(text) if tok is None else tok
        fast = model.probabilities([model.features(tok, a, b) for a, b in pairs])
        order = [model.classes.index(name) for name in techniques]
        return 0.5 * probs + 0.5 * fast[:, order]

    def inside(
        self, enc: Encoded, crf_weight: float, tok: Tokenised | None = None
    ) -> np.ndarray:
        return blended_inside(enc, self.fast, crf_weight, tok)
