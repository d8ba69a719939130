"""The neural detector's blends read the fast detector through its public interface
and share the registry's fast detector instead of loading a second one."""

from __future__ import annotations

import numpy as np

from propscope.detect.base import get_detector
from propscope.detect.fast import FastDetector
from propscope.detect.fast.tokens import tokenise
from propscope.detect.neural.blend import FastBlend, crf_inside

TEXT = "The imperialist warmongers lie again. Thanks to him, the harvest grew."


def test_blend_shares_the_registrys_fast_detector() -> None:
    assert FastBlend().fast is get_detector("fast")


class _OnlyThePublicInterface:
    """A fast detector with nothing but the two methods the blend may call."""

    def inside_probabilities(self, tok):
        words = [t for s in tok.sentences for t in s.tokens]
        starts = np.array([a for a, _ in words])
        ends = np.array([b for _, b in words])
        return starts, ends, np.linspace(0.1, 0.9, len(words))

    def technique_probabilities(self, tok, spans, names):
        return np.full((len(spans), len(names)), 1.0 / len(names))


def test_blend_needs_only_the_public_interface() -> None:
    blend = FastBlend(_OnlyThePublicInterface())  # type: ignore[arg-type]
    names = ["Loaded_Language", "Slogans"]
    probs = blend.techniques(np.array([[1.0, 0.0]]), TEXT, [(4, 26)], names)
    np.testing.assert_allclose(probs, [[0.75, 0.25]])
    # encoder tokens: The, imperialist, "warm", "##ongers" (inside a word), a space
    offsets = np.array([[0, 3], [4, 15], [16, 20], [20, 26], [15, 16]])
    inside = crf_inside(blend.fast, TEXT, offsets)  # type: ignore[arg-type]
    p = blend.fast.inside_probabilities(tokenise(TEXT))[2]
    np.testing.assert_allclose(inside, [p[0], p[1], p[2], p[2], 0.0])


def test_public_interface_agrees_with_the_detectors_own_decisions() -> None:
    fast = FastDetector.load()
    tok = tokenise(TEXT)
    starts, ends, p_in = fast.inside_probabilities(tok)
    assert len(starts) == len(ends) == len(p_in) and ((0 <= p_in) & (p_in <= 1)).all()
    found = fast.find(tok)
    for a, b, score in found:  # a found span's tokens are the ones at or over threshold
        inside = (starts >= a) & (ends <= b)
        assert (p_in[inside] >= fast.model.span_threshold).all()
    pairs = [(4, 26), (38, 51)]
    names = list(reversed(fast.techniques.classes))
    probs = fast.technique_probabilities(tok, pairs, names)
    assert probs.shape == (2, len(names))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    best = [s.technique for s in fast.classify(TEXT, pairs)]
    assert [names[int(k)] for k in probs.argmax(axis=1)] == best
    assert fast.technique_probabilities(tok, [], names).shape == (0, len(names))
