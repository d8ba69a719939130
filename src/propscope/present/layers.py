"""Overlapping spans, flattened for display.

A text with spans that overlap cannot be shown as one run of highlights.  Two views
solve it, one per kind of face:

* :func:`pieces` cuts the text at every span boundary; each piece knows every span
  covering it, so a face can layer their colours (HTML, terminal colour).
* :func:`balanced_marks` turns spans into open/close marks that nest properly, cutting
  a span in two where another crosses its edge, so a face that can only bracket text
  (plain terminal output) never shows brackets that pair up wrongly;
  :func:`nested` gives the same marks as a tree, for a face that nests elements (HTML).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from propscope.model import Span


@dataclass(frozen=True, slots=True)
class Piece:
    """``text[start:end]`` and the indices of the spans covering all of it, outermost
    (earliest start, then longest) first."""

    start: int
    end: int
    covering: tuple[int, ...]


def pieces(length: int, spans: Sequence[Span]) -> list[Piece]:
    """Cut ``[0, length)`` at every span boundary; pieces cover the text exactly once."""
    order = sorted(range(len(spans)), key=lambda i: (spans[i].start, -spans[i].end, i))
    bounds = sorted({0, length, *(s.start for s in spans), *(s.end for s in spans)})
    result: list[Piece] = []
    active: list[int] = []
    next_open = 0
    for start, end in pairwise(bounds):
        active = [i for i in active if spans[i].end > start]
        while next_open < len(order) and spans[order[next_open]].start <= start:
            active.append(order[next_open])
            next_open += 1
        result.append(Piece(start, end, tuple(active)))
    return result


@dataclass(frozen=True, slots=True)
class Mark:
    """An open or close mark for span ``index`` at offset ``at``.  ``cut`` is true for
    a close mark that ends a fragment of a span continued after it (or an open mark
    that resumes one), because another span's edge fell inside it."""

    at: int
    index: int
    opens: bool
    cut: bool = False


def balanced_marks(spans: Sequence[Span]) -> list[Mark]:
    """Marks in text order that nest like brackets: every close matches the latest
    open still unclosed."""
    starts: dict[int, list[int]] = {}
    ends: dict[int, list[int]] = {}
    for i, span in enumerate(spans):
        starts.setdefault(span.start, []).append(i)
        ends.setdefault(span.end, []).append(i)
    marks: list[Mark] = []
    stack: list[int] = []
    for at in sorted(starts.keys() | ends.keys()):
        closing = set(ends.get(at, ()))
        resume: list[int] = []
        if closing:
            deepest = min(k for k, i in enumerate(stack) if i in closing)
            for i in reversed(stack[deepest:]):
                cut = i not in closing
                marks.append(Mark(at, i, opens=False, cut=cut))
                if cut:
                    resume.append(i)
            del stack[deepest:]
        opening = [(i, True) for i in resume] + [(i, False) for i in starts.get(at, ())]
        # Longest first, so the spans most likely to outlast the others sit outside.
        for i, resumed in sorted(opening, key=lambda item: (-spans[item[0]].end, item[0])):
            marks.append(Mark(at, i, opens=True, cut=resumed))
            stack.append(i)
    return marks


@dataclass(frozen=True, slots=True)
class Fragment:
    """Span ``index`` from ``start`` to ``end`` (all of it, or the part between two
    cuts) and the fragments nested inside it.  ``continued``: another fragment of the
    same span follows; ``resumed``: one came before."""

    index: int
    start: int
    end: int
    children: tuple[Fragment, ...]
    continued: bool = False
    resumed: bool = False

    @property
    def height(self) -> int:
        """Levels of nesting from this fragment down: 1 with nothing inside."""
        return 1 + max((child.height for child in self.children), default=0)


def nested(spans: Sequence[Span]) -> list[Fragment]:
    """:func:`balanced_marks` as a tree: the outermost fragments in text order."""
    top: list[Fragment] = []
    stack: list[tuple[Mark, list[Fragment]]] = []
    for mark in balanced_marks(spans):
        if mark.opens:
            stack.append((mark, []))
            continue
        opened, children = stack.pop()
        fragment = Fragment(mark.index, opened.at, mark.at, tuple(children),
                            continued=mark.cut, resumed=opened.cut)
        (stack[-1][1] if stack else top).append(fragment)
    return top
