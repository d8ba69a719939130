"""Span finding: a linear-chain CRF tags each token B, I or O, and spans are read off
the per-token probabilities rather than the single best tag sequence.

Why probabilities: the SemEval soft-overlap F1 rewards partial overlap, and a CRF's
best sequence is conservative (most tokens of most articles are O), so thresholding
``P(token in a span) = 1 - P(O)`` at a level tuned by cross-validation on the training
articles trades precision for recall where the metric pays for it.  A token where
``P(B)`` dominates starts a new span even inside a run.
"""

from __future__ import annotations

import pycrfsuite

from propscope.detect.fast.features import sentence_features
from propscope.detect.fast.tokens import Tokenised

TAGS = ("B", "I", "O")


class SpanFinder:
    """The CRF of a fast model, opened once and reused for every document."""

    def __init__(self, crf_model: bytes) -> None:
        self.tagger = pycrfsuite.Tagger()
        self.tagger.open_inmemory(crf_model)

    def token_probs(self, tok: Tokenised) -> list[tuple[list[float], list[float]]]:
        """For each sentence: ``(P(in span), P(B))`` per token."""
        tagger = self.tagger
        out = []
        for sent in tok.sentences:
            tagger.set(sentence_features(sent, tok))
            n = len(sent.tokens)
            p_in = [1.0 - tagger.marginal("O", i) for i in range(n)]
            p_b = [tagger.marginal("B", i) for i in range(n)]
            out.append((p_in, p_b))
        return out

    def find(self, tok: Tokenised, threshold: float) -> list[tuple[int, int, float]]:
        """``(start, end, score)`` of each span; score is the mean P(in span)."""
        return decode(tok, self.token_probs(tok), threshold)


def decode(
    tok: Tokenised, probs: list[tuple[list[float], list[float]]], threshold: float
) -> list[tuple[int, int, float]]:
    """Runs of tokens with ``P(in span) >= threshold``, split where ``P(B)`` wins."""
    spans: list[tuple[int, int, float]] = []
    for sent, (p_in, p_b) in zip(tok.sentences, probs):
        run: list[int] = []
        for i, p in enumerate(p_in):
            inside = p >= threshold
            if run and (not inside or p_b[i] > p - p_b[i]):
                spans.append(_span(sent.tokens, run, p_in))
                run = []
            if inside:
                run.append(i)
        if run:
            spans.append(_span(sent.tokens, run, p_in))
    return spans


def _span(
    tokens: list[tuple[int, int]], run: list[int], p_in: list[float]
) -> tuple[int, int, float]:
    start = tokens[run[0]][0]
    end = tokens[run[-1]][1]
    return start, end, sum(p_in[i] for i in run) / len(run)
