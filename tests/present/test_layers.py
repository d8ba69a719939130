"""Flattening overlapping spans: pieces for layering, balanced marks for brackets."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from propscope.model import Span
from propscope.present.layers import Fragment, balanced_marks, nested, pieces

LENGTH = 30


@st.composite
def span_lists(draw: st.DrawFn) -> list[Span]:
    pairs = draw(st.lists(st.tuples(st.integers(0, LENGTH - 1), st.integers(1, 12)),
                          max_size=8))
    spans = [Span(s, min(LENGTH, s + n)) for s, n in pairs]
    return sorted(spans, key=lambda s: (s.start, -s.end))


@settings(max_examples=300, deadline=None)
@given(span_lists())
def test_pieces_tile_the_text_and_know_their_spans(spans: list[Span]) -> None:
    found = pieces(LENGTH, spans)
    assert found[0].start == 0 and found[-1].end == LENGTH
    for left, right in pairwise(found):
        assert left.end == right.start
    for piece in found:
        assert piece.start < piece.end
        expected = {i for i, s in enumerate(spans) if s.start <= piece.start and piece.end <= s.end}
        assert set(piece.covering) == expected
        # No span starts or ends strictly inside a piece.
        assert not any(piece.start < b < piece.end for s in spans for b in (s.start, s.end))
        # Outermost first: starts never decrease along the list.
        starts = [spans[i].start for i in piece.covering]
        assert starts == sorted(starts)


@settings(max_examples=300, deadline=None)
@given(span_lists())
def test_marks_nest_and_cover_each_span_exactly(spans: list[Span]) -> None:
    marks = balanced_marks(spans)
    assert [m.at for m in marks] == sorted(m.at for m in marks)
    stack: list[tuple[int, int]] = []
    covered: dict[int, set[int]] = {i: set() for i in range(len(spans))}
    for mark in marks:
        if mark.opens:
            stack.append((mark.index, mark.at))
        else:
            index, opened = stack.pop()
            assert index == mark.index  # brackets pair up like brackets
            assert opened < mark.at  # no empty fragment
            covered[index].update(range(opened, mark.at))
    assert not stack
    for i, span in enumerate(spans):
        assert covered[i] == set(range(span.start, span.end))


def test_crossing_spans_are_cut_at_the_crossing() -> None:
    spans = [Span(0, 9), Span(5, 14)]
    marks = [(m.at, m.index, m.opens, m.cut) for m in balanced_marks(spans)]
    assert marks == [
        (0, 0, True, False),
        (5, 1, True, False),
        (9, 1, False, True),  # the second span is cut where the first ends …
        (9, 0, False, False),
        (9, 1, True, True),  # … and resumed after it
        (14, 1, False, False),
    ]


def test_no_spans_one_piece() -> None:
    assert [(p.start, p.end, p.covering) for p in pieces(5, [])] == [(0, 5, ())]


@settings(max_examples=200, deadline=None)
@given(span_lists())
def test_nested_fragments_lie_inside_their_parents(spans: list[Span]) -> None:
    def walk(fragments: tuple[Fragment, ...] | list[Fragment], start: int, end: int) -> int:
        at, count = start, 0
        for fragment in fragments:
            assert at <= fragment.start < fragment.end <= end
            count += 1 + walk(fragment.children, fragment.start, fragment.end)
            at = fragment.end
        return count

    top = nested(spans)
    assert walk(top, 0, LENGTH) == sum(m.opens for m in balanced_marks(spans))


def test_nested_crossing_spans() -> None:
    top = nested([Span(0, 9), Span(5, 14), Span(0, 4)])
    outer, resumed = top
    assert (outer.index, outer.start, outer.end, outer.height) == (0, 0, 9, 2)
    assert [(c.index, c.start, c.end, c.continued) for c in outer.children] == [
        (2, 0, 4, False), (1, 5, 9, True)]
    assert (resumed.index, resumed.start, resumed.end, resumed.resumed) == (1, 9, 14, True)
