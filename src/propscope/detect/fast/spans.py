"""Span finding: a linear-chain CRF over B/I/O token tags, decoded from marginals.

The CRF is trained with crfsuite (:mod:`propscope.detect.fast.train`) and exported to
weight tables indexed by the integer features of :mod:`propscope.detect.fast.tokenmodel`,
so at runtime a token's emission scores are a few table look-ups, and forward-backward
runs in numpy over all sentences of a batch of articles at once (a loop over
positions, not over tokens).

Why marginals rather than the single best tag sequence: the SemEval soft-overlap F1
rewards partial overlap, and a CRF's best sequence is conservative (most tokens are
O), so thresholding ``P(token in a span) = 1 - P(O)`` at a level tuned by
cross-validation on the training articles trades precision for recall where the
metric pays for it.  A token where ``P(B) > P(I)`` starts a new span inside a run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from propscope.detect.fast.tokenmodel import ID_GROUPS, TokenInputs, TokenVocab

TAGS = ("B", "I", "O")
B, I, O = 0, 1, 2


@dataclass(slots=True)
class CrfTables:
    """CRF weights as arrays: ``emissions[group]`` (ids × 3), ``flags`` (flags × 3),
    ``transitions`` (3 × 3, from → to), tags in :data:`TAGS` order."""

    emissions: dict[str, np.ndarray]
    flags: np.ndarray
    transitions: np.ndarray

    def pack(self) -> np.ndarray:
        """One (rows × 3) array: the groups in :data:`ID_GROUPS` order, flags, transitions."""
        return np.concatenate([*(self.emissions[g] for g in ID_GROUPS), self.flags,
                               self.transitions]).astype(np.float32)

    @classmethod
    def unpack(cls, packed: np.ndarray, vocab: TokenVocab, n_flags: int) -> CrfTables:
        sizes = vocab.group_sizes()
        emissions, offset = {}, 0
        for group in ID_GROUPS:
            emissions[group] = packed[offset: offset + sizes[group]]
            offset += sizes[group]
        flags = packed[offset: offset + n_flags]
        transitions = packed[offset + n_flags: offset + n_flags + 3]
        if transitions.shape != (3, 3):
            raise ValueError("CRF tables do not match the vocabulary")
        return cls(emissions, flags, transitions)


def marginals(inputs: TokenInputs, tables: CrfTables) -> np.ndarray:
    """``P(tag)`` per token, (n × 3), by scaled forward-backward over all sentences."""
    n = len(inputs)
    if n == 0:
        return np.zeros((0, 3))
    scores = np.zeros((n, 3))
    for group in ID_GROUPS:
        scores += tables.emissions[group][inputs.ids[group]]
    flag_rows, flag_cols = np.nonzero(inputs.flags)
    for tag in range(3):
        weights = tables.flags[flag_cols, tag]
        scores[:, tag] += np.bincount(flag_rows, weights=weights, minlength=n)
    scores -= scores.max(axis=1, keepdims=True)
    emit = np.exp(scores)
    trans = np.exp(tables.transitions.astype(np.float64))
    # Lay tokens out position-major, sentences longest first: the tokens at position t
    # of the k_t sentences longer than t are one contiguous block, and block t's rows
    # line up with the first k_t rows of block t - 1.  Memory and work follow the
    # number of tokens, never sentences x longest sentence (a padded grid of one long
    # sentence and 100 000 short lines would hold 10^10 cells).
    lengths = np.bincount(inputs.sentence)
    first = np.cumsum(lengths) - lengths
    pos = np.arange(n) - first[inputs.sentence]
    order = np.argsort(-lengths, kind="stable")
    row_of = np.empty_like(order)
    row_of[order] = np.arange(len(order))
    sorted_lengths = lengths[order]
    width = int(sorted_lengths[0])
    # active[t] = how many sentences are longer than t; block t starts at offset[t]
    active = np.searchsorted(-sorted_lengths, -np.arange(width), side="left")
    offset = np.concatenate([[0], np.cumsum(active)])
    flat = offset[pos] + row_of[inputs.sentence]
    grid = np.empty((n, 3))
    grid[flat] = emit
    alpha = np.empty_like(grid)
    beta = np.ones_like(grid)
    k = active[0]
    alpha[:k] = grid[:k] / grid[:k].sum(axis=1, keepdims=True)
    for t in range(1, width):
        k, here, before = active[t], offset[t], offset[t - 1]
        step = _times(alpha[before : before + k], trans) * grid[here : here + k]
        alpha[here : here + k] = step / step.sum(axis=1, keepdims=True)
    trans_t = np.ascontiguousarray(trans.T)
    for t in range(width - 2, -1, -1):
        k, here, after = active[t + 1], offset[t], offset[t + 1]
        # sentences that go on after t; the others keep beta = 1
        step = _times(beta[after : after + k] * grid[after : after + k], trans_t)
        beta[here : here + k] = step / step.sum(axis=1, keepdims=True)
    post = alpha[flat] * beta[flat]
    return post / post.sum(axis=1, keepdims=True)


def _times(rows: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """``rows @ matrix`` for a 3 × 3 matrix, as three broadcasts: no BLAS call, whose
    thread pool only adds overhead for arrays this small (and stalls on a busy box)."""
    return rows[:, 0:1] * matrix[0] + rows[:, 1:2] * matrix[1] + rows[:, 2:3] * matrix[2]


def marginals_many(items: list[TokenInputs], tables: CrfTables) -> list[np.ndarray]:
    """:func:`marginals` of several articles in one pass: the loop over positions is
    paid once per batch instead of once per article (``detect`` is batch first)."""
    if len(items) <= 1:
        return [marginals(item, tables) for item in items]
    shift, sentences = 0, []
    for item in items:
        sentences.append(item.sentence + shift)
        if len(item):
            shift += int(item.sentence[-1]) + 1
    joined = TokenInputs(
        {g: np.concatenate([item.ids[g] for item in items]) for g in ID_GROUPS},
        np.concatenate([item.flags for item in items]),
        np.concatenate(sentences),
        np.concatenate([item.starts for item in items]),
        np.concatenate([item.ends for item in items]),
    )
    probs = marginals(joined, tables)
    bounds = np.cumsum([len(item) for item in items])[:-1]
    return np.split(probs, bounds)


def decode(
    inputs: TokenInputs, probs: np.ndarray, threshold: float
) -> list[tuple[int, int, float]]:
    """``(start, end, score)``: runs of tokens with ``P(in span) >= threshold`` within a
    sentence, split where ``P(B) > P(I)``; score is the run's mean ``P(in span)``."""
    if len(inputs) == 0:
        return []
    p_in = 1.0 - probs[:, O]
    on = p_in >= threshold
    if not on.any():
        return []
    prev_on = np.concatenate([[False], on[:-1]])
    new_sentence = np.concatenate([[True], inputs.sentence[1:] != inputs.sentence[:-1]])
    begins = on & (~prev_on | new_sentence | (probs[:, B] > probs[:, I]))
    run = np.cumsum(begins)[on] - 1
    first = np.flatnonzero(begins)
    count = np.bincount(run)
    last_index = np.flatnonzero(on)[np.cumsum(count) - 1]
    mean = np.bincount(run, weights=p_in[on]) / count
    starts, ends = inputs.starts[first], inputs.ends[last_index]
    return [(int(a), int(b), float(m)) for a, b, m in zip(starts, ends, mean)]
