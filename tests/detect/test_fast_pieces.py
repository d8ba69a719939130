"""Very long documents go through a detector in bounded pieces, with the same spans a
detector finds in each piece and offsets into the whole text; normal ones go whole."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from propscope.detect.fast import FastDetector
from propscope.detect.fast.pieces import MAX_PIECE_CHARS, detect_in_pieces
from propscope.detect.fast.tokens import MAX_SENTENCE_TOKENS, tokenise
from propscope.model import Document, Span
from propscope.text.segment import piece_bounds


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab .\n", max_size=300), st.integers(2, 40))
def test_pieces_cover_the_text_in_order_within_the_limit(text: str, limit: int) -> None:
    bounds = piece_bounds(text, limit)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(text)
    for (_, end), (start, _) in itertools.pairwise(bounds):
        assert end == start
    assert all(0 < b - a <= limit for a, b in bounds) or text == ""
    assert all(b - a >= limit // 2 for a, b in bounds[:-1])


def test_pieces_end_at_line_breaks_then_sentences_then_spaces() -> None:
    text = "aaaa bbbb. cccc\ndddd eeee. ffff gggg hh iiii jjjj kkkk"
    assert [text[a:b] for a, b in piece_bounds(text, 20)] == [
        "aaaa bbbb. cccc\n", "dddd eeee. ffff ", "gggg hh iiii jjjj ", "kkkk"]
    text = "aaaa bbbb cccc. ddddeeeeffffgggg"
    assert [text[a:b] for a, b in piece_bounds(text, 20)] == [
        "aaaa bbbb cccc. ", "ddddeeeeffffgggg"]
    assert piece_bounds("x" * 10, 4) == [(0, 4), (4, 8), (8, 10)]
    with pytest.raises(ValueError):
        piece_bounds("abc", 1)


class _Recorder:
    """A detector that records what it is given and marks each piece's first word."""

    def __init__(self) -> None:
        self.calls: list[list[Document]] = []

    def __call__(self, docs: list[Document]) -> list[list[Span]]:
        self.calls.append(docs)
        return [[Span(0, d.text.index(" "), "Slogans", 0.5, "t", d.text[:4])] for d in docs]


def test_long_documents_are_cut_and_spans_shifted_back() -> None:
    short = Document(text="short text here")
    long = Document(text="word " * 100)  # 500 characters, pieces of at most 120
    detect = _Recorder()
    out = detect_in_pieces([short, long, short], detect, limit=120, pass_chars=250)
    assert detect.calls[0][0] is short  # a document that fits is handed over as it is
    assert all(sum(len(d.text) for d in call) <= 250 or len(call) == 1
               for call in detect.calls)
    assert out[0] == out[2] == [Span(0, 5, "Slogans", 0.5, "t", "shor")]
    starts = [a for a, _ in piece_bounds(long.text, 120)]
    assert [s.start for s in out[1]] == starts
    assert all(long.text[s.start : s.end] == "word" for s in out[1])


def test_a_megabyte_line_is_detected_in_pieces_inside_its_text() -> None:
    text = "the glorious leader crushed the imperialist warmongers and their puppets " * 4_000
    fast = FastDetector.load()
    (spans,) = fast.detect([Document(text=text)])
    assert spans
    for span in spans:
        span.check(text)
    # the first piece is detected exactly as if it were the whole document
    a, b = piece_bounds(text, MAX_PIECE_CHARS)[0]
    (head,) = fast.detect([Document(text=text[a:b])])
    assert [s for s in spans if s.end <= b] == head


def test_a_sentence_longer_than_the_cap_is_cut_at_token_edges() -> None:
    text = "one two three " * 300 + "end.\nShort line."
    tok = tokenise(text)
    assert max(len(s.tokens) for s in tok.sentences) == MAX_SENTENCE_TOKENS
    flat = [t for s in tok.sentences for t in s.tokens]
    assert flat == sorted(flat) and len(flat) == 3 * 300 + 2 + 3
    assert [s.index for s in tok.sentences] == list(range(len(tok.sentences)))
    assert tok.sentences[-1].start == text.index("Short")
