"""The CRF's forward-backward: the batched, position-major layout gives the marginals
of the textbook recursion run sentence by sentence, in memory that follows the tokens."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from propscope.detect.fast import FastDetector
from propscope.detect.fast.spans import ID_GROUPS, marginals, marginals_many
from propscope.detect.fast.tokenmodel import TokenInputs, token_inputs
from propscope.detect.fast.tokens import tokenise


@pytest.fixture(scope="module")
def fast() -> FastDetector:
    return FastDetector.load()


def _reference(inputs: TokenInputs, fast: FastDetector) -> np.ndarray:
    """Forward-backward one sentence at a time, with plain matrix products (the float32
    weights summed in another order: agreement to 1e-5, not to the last digit)."""
    tables = fast.tables
    scores = sum(tables.emissions[g][inputs.ids[g]] for g in ID_GROUPS)
    scores = scores + inputs.flags.astype(np.float64) @ tables.flags
    emit = np.exp(scores - scores.max(axis=1, keepdims=True))
    trans = np.exp(tables.transitions.astype(np.float64))
    out = np.empty_like(emit)
    for sentence in np.unique(inputs.sentence):
        rows = np.flatnonzero(inputs.sentence == sentence)
        e = emit[rows]
        alpha, beta = np.empty_like(e), np.ones_like(e)
        alpha[0] = e[0] / e[0].sum()
        for t in range(1, len(e)):
            alpha[t] = (alpha[t - 1] @ trans) * e[t]
            alpha[t] /= alpha[t].sum()
        for t in range(len(e) - 2, -1, -1):
            beta[t] = trans @ (beta[t + 1] * e[t + 1])
            beta[t] /= beta[t].sum()
        post = alpha * beta
        out[rows] = post / post.sum(axis=1, keepdims=True)
    return out


TEXTS = [
    ("Thanks to him, the glorious harvest grew.\nShort.\n\nThe imperialist warmongers lie! "
     "Long live the party? The ministry reported an average harvest this year."),
    "One.\n" * 30 + "the traitors and puppets " * 40,
    "A single sentence with no end",
]


@pytest.mark.parametrize("text", TEXTS)
def test_marginals_agree_with_the_sentence_by_sentence_recursion(fast, text) -> None:
    inputs = token_inputs(tokenise(text), fast.vocab)
    np.testing.assert_allclose(marginals(inputs, fast.tables), _reference(inputs, fast),
                               rtol=1e-5, atol=1e-9)


def test_a_batch_gives_each_articles_own_marginals(fast) -> None:
    items = [token_inputs(tokenise(t), fast.vocab) for t in TEXTS]
    for got, item in zip(marginals_many(items, fast.tables), items):
        np.testing.assert_allclose(got, _reference(item, fast), rtol=1e-5, atol=1e-9)


def test_memory_follows_tokens_not_sentences_times_longest(fast) -> None:
    """A padded grid of 20 000 one-word lines and one 200-token sentence held 20 000 x
    200 x 3 floats per array (96 MB each); position-major it is 20 200 x 3."""
    text = "word\n" * 20_000 + "the glorious leader " * 66
    inputs = token_inputs(tokenise(text), fast.vocab)
    tracemalloc.start()
    probs = marginals(inputs, fast.tables)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert probs.shape == (len(inputs), 3)
    assert peak < 30 * 2**20
