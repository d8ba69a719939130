"""The hand-written state-media patterns of the fast detector."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from propscope.detect.fast.lexicon import (
    PATTERNS,
    Intervals,
    add_untyped_pattern_spans,
    lexicon_spans,
    lexicon_tags,
    merge_pattern_spans,
)
from propscope.model import Span


def _found(text: str) -> dict[str, str]:
    return {text[s:e]: technique for s, e, technique, _, _ in lexicon_spans(text)}


def test_patterns_propose_techniques_with_evidence() -> None:
    text = ("The imperialist reactionaries failed. Thanks to him, the harvest grew. "
            "Long live the party! We march toward final victory.")
    found = _found(text)
    assert found["imperialist reactionaries"] == "Name_Calling,Labeling"
    assert found["Thanks to him, the harvest grew"] == "Causal_Oversimplification"
    assert found["Long live the party"] == "Slogans"
    assert found["toward final victory"] == "Slogans"
    for *_, score, evidence in lexicon_spans(text):
        assert 0 < score < 1 and evidence.startswith(("lexicon:", "pattern:"))


def test_honorifics_and_eulogies_of_state_media() -> None:
    found = _found("The respected Comrade leader showed extraordinary wisdom in the sacred war.")
    assert found == {"respected Comrade": "Loaded_Language",
                     "extraordinary wisdom": "Loaded_Language", "sacred war": "Flag-Waving"}


def test_earlier_patterns_claim_text_first() -> None:
    spans = lexicon_spans("an immortal achievements list")
    assert [(t, ev.split(":")[1].strip()) for _, _, t, _, ev in spans] == [
        ("Exaggeration,Minimisation", "eulogy")]


def test_plain_news_triggers_nothing() -> None:
    assert lexicon_spans("The council approved the budget for road repairs on Monday.") == []


def test_word_tags() -> None:
    assert "enemy" in lexicon_tags("puppets")
    assert lexicon_tags("table") == ()


# --- the sweep agrees with the plain quadratic definition --------------------------

_PIECES = [
    "glorious ", "immortal achievements ", "imperialist reactionaries ", "traitors ",
    "puppet ", "long live the party", "final victory", "thanks to him, ", "forward to ",
    "under the wise leadership of Kim Jong Un ", "sacred war ", "absolute loyalty ",
    "invincible army ", "motherland ", "great leader ", "respected comrade ", "the ",
    "harvest ", ". ", "! ", "\n", ", ", "US ", "heroic ", "extraordinary wisdom ",
]
_TECHNIQUES = [None, "Loaded_Language", "Slogans", "Name_Calling,Labeling", "Flag-Waving"]


def _reference_lexicon_spans(text: str) -> list[tuple[int, int, str, float, str]]:
    """The definition, written the obvious quadratic way."""
    taken: list[tuple[int, int]] = []
    found = []
    for pattern in PATTERNS:
        for match in pattern.regex.finditer(text):
            start, end = match.span()
            while end > start and not text[end - 1].isalnum():
                end -= 1
            if end <= start or any(a < end and start < b for a, b in taken):
                continue
            taken.append((start, end))
            found.append((start, end, pattern.technique, pattern.score,
                          f"{pattern.evidence}: '{text[start:end][:40]}'"))
    return sorted(found)


def _reference_merge(spans: list[Span], text: str, typed: bool) -> list[Span]:
    out = list(spans)
    for start, end, technique, score, evidence in _reference_lexicon_spans(text):
        if any((not typed or s.technique == technique) and s.start < end and start < s.end
               for s in spans):
            continue
        out.append(Span(start, end, technique if typed else None, score, "t", evidence))
    return out


@st.composite
def _texts_and_spans(draw: st.DrawFn) -> tuple[str, list[Span]]:
    text = "".join(draw(st.lists(st.sampled_from(_PIECES), max_size=40)))
    spans = []
    for _ in range(draw(st.integers(0, 8)) if len(text) > 1 else 0):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        spans.append(Span(start, end, draw(st.sampled_from(_TECHNIQUES)), 0.5, "t", "x"))
    return text, spans


@settings(max_examples=300, deadline=None)
@given(_texts_and_spans())
def test_sweep_gives_the_quadratic_definitions_result(case: tuple[str, list[Span]]) -> None:
    text, spans = case
    assert lexicon_spans(text) == _reference_lexicon_spans(text)
    assert merge_pattern_spans(spans, text, "t") == _reference_merge(spans, text, True)
    assert add_untyped_pattern_spans(spans, text, "t") == _reference_merge(spans, text, False)


@pytest.mark.parametrize("pairs", [[], [(5, 9)], [(0, 100), (10, 12)], [(3, 4), (1, 20), (2, 3)]])
def test_intervals_answer_overlap_like_a_scan(pairs: list[tuple[int, int]]) -> None:
    cover = Intervals(pairs)
    for a in range(25):
        for b in range(a + 1, 26):
            assert cover.overlaps(a, b) == any(s < b and a < e for s, e in pairs), (a, b)


def test_a_megabyte_of_one_lexicon_word_takes_linear_time() -> None:
    """Was 49 s for 180 KB: each hit compared with every earlier one."""
    text = "glorious " * 60_000  # 540 KB, 60 000 hits
    started = time.perf_counter()
    hits = lexicon_spans(text)
    spans = [Span(s, e, "Slogans", 0.5, "t", "x") for s, e, *_ in hits[::2]]
    merged = merge_pattern_spans(spans, text, "t")
    assert len(hits) == 60_000 and len(merged) == 90_000
    assert time.perf_counter() - started < 10  # ~1 s; quadratic took minutes
