"""A standing fuzz guard: hostile text through the whole library, both detectors.

What an adversary's page can hold — control characters, lone surrogates from JSON
escapes, bidi overrides, invisible characters, one loaded word repeated without end —
must give a result whose spans index the text, or one clear :class:`PropscopeError`;
never a traceback, and never more time than the text's length warrants.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import propscope
from propscope.errors import PropscopeError

HOSTILE = [
    "glorious ", "imperialist ", "puppet ", "traitors", "Kim Il Sung", "Skip links\n",
    ".", "!", "\n", "\n\n", " ", "\t", "\x00", "\x0c", "\x1b", "\x1b]0;x\x07", "\x7f",
    "\x85", "\u2028", "\u202e", "\u2066", "\u200b", "\ufeff", "\ufffe", "\ud800", "\udfff",
    "\U0001f600", "e\u0301", "\u0301", "&#27;", "<div>", "\"", "\u201c", "'",
]

hostile_text = st.lists(st.sampled_from(HOSTILE), max_size=60).map("".join) | st.text(
    max_size=200
)


def _check(detector: str, text: str) -> None:
    try:
        result = propscope.analyze(text, detector=detector)
    except PropscopeError:
        return  # e.g. EmptyInput for white space alone: a clear, typed refusal
    for span in result.spans:
        assert 0 <= span.start < span.end <= len(result.text)
        result.span_text(span)
    result.to_dict()


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_text)
def test_hostile_text_through_the_fast_detector(text: str) -> None:
    _check("fast", text)


@pytest.mark.slow
@settings(max_examples=40, deadline=5000, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_text)
def test_hostile_text_through_the_neural_detector(text: str) -> None:
    _check("neural", text)


@pytest.mark.parametrize(("detector", "size", "budget"), [("fast", 300_000, 12),
                                                      ("neural", 100_000, 25)])
@pytest.mark.parametrize(
    "unit",
    ["glorious ", "The imperialist puppets!\n", "Kim Il Sungdeeply "],
    ids=["one-word", "short-lines", "fused-name"],
)
def test_a_crafted_text_costs_linear_time(detector: str, size: int, budget: float,
                                          unit: str) -> None:
    """One pattern repeated: the quadratic lexicon step took 19.6 s on 300 KB of one
    word here (issue #13); now the fast detector takes under a second on it and the
    neural one a few seconds on 100 KB (benchmarks/worst_case.py).  Budgets are many
    times what was measured, so they fail on a return to quadratic time, not on a
    slow or busy machine."""
    text = unit * (size // len(unit))
    started = time.perf_counter()
    result = propscope.analyze(text, detector=detector)
    seconds = time.perf_counter() - started
    assert result.text
    assert seconds < budget, f"{len(text):,} characters took {seconds:.1f} s"
