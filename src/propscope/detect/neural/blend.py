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

from propscope.detect.base import get_detector
from propscope.detect.fast import FastDetector
from propscope.detect.fast.tokens import Tokenised, tokenise
from propscope.detect.neural.predict import ANY, Encoded


def crf_inside(
    fast: FastDetector, text: str, offsets: np.ndarray, tok: Tokenised | None = None
) -> np.ndarray:
    """The CRF's ``P(inside a span)`` of the fast-detector word under each encoder
    token (``offsets``: ``(N, 2)`` code points), 0 where no word covers its start.
    ``tok``: the text already tokenised for the fast detector, if it is at hand."""
    out = np.zeros(len(offsets))
    starts_w, ends_w, p_in = fast.inside_probabilities(tokenise(text) if tok is None else tok)
    if len(p_in) == 0 or len(offsets) == 0:
        return out
    starts = np.asarray(offsets)[:, 0]
    idx = np.searchsorted(ends_w, starts, side="right")
    hit = idx < len(p_in)
    hit[hit] = starts_w[idx[hit]] <= starts[hit]
    out[hit] = p_in[idx[hit]]
    return out


def blended_inside(
    enc: Encoded, fast: FastDetector, crf_weight: float, tok: Tokenised | None = None
) -> np.ndarray:
    """``(1 - w) · encoder "any" + w · CRF P(inside)`` per encoder token."""
    crf = crf_inside(fast, enc.text, enc.tokens.offsets, tok)
    return (1.0 - crf_weight) * enc.probs[:, ANY] + crf_weight * crf


def shipped_fast() -> FastDetector:
    """The registry's fast detector: loaded once per process and shared with anyone
    who analyses with ``fast`` (the blends use its models, never its lexicon)."""
    fast = get_detector("fast")
    if not isinstance(fast, FastDetector):
        raise TypeError(f"the registry's 'fast' is a {type(fast).__name__}, not a FastDetector")
    return fast


class FastBlend:
    """The shipped fast model, for both averages, through its public interface
    (:meth:`FastDetector.inside_probabilities`, :meth:`FastDetector.technique_probabilities`)."""

    def __init__(self, fast: FastDetector | None = None) -> None:
        self.fast = fast or shipped_fast()

    def techniques(
        self, probs: np.ndarray, text: str, pairs: Sequence[tuple[int, int]],
        techniques: Sequence[str], tok: Tokenised | None = None, weight: float = 0.5,
    ) -> np.ndarray:
        """``(1 - weight) · encoder + weight · fast`` technique probabilities for the
        spans ``pairs``."""
        if not len(pairs) or weight <= 0:
            return probs
        tok = tokenise(text) if tok is None else tok
        fast = self.fast.technique_probabilities(tok, pairs, techniques)
        return (1.0 - weight) * probs + weight * fast

    def inside(
        self, enc: Encoded, crf_weight: float, tok: Tokenised | None = None
    ) -> np.ndarray:
        return blended_inside(enc, self.fast, crf_weight, tok)
