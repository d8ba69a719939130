"""Span clean-up shared by the fast and neural detectors.

Why: read span by span on KCNA and Tehran Times (issue 11), many wrong spans were not
wrong techniques but broken spans: a fragment cut from a word ("S" of "U.S.", "s
relentlessly …" after "May’s"), punctuation alone ('"'), one function word ("with",
"quite"), a span running across a sentence break; and state-media names read as
techniques ("Fatherland" in "Fatherland Liberation War", "Anti-Imperialist" in an
organisation's name, "under the leadership of X" as an appeal to authority).  Both
detectors' token scores produce such spans, so one step after detection fixes them
for both, and ``benchmarks/cross_validation.py`` checks it costs nothing on the PTC.

:func:`clean_spans` keeps each span's technique, score and evidence; it only moves
edges inward (never outward past what the detector chose, except to complete a word
the span already mostly covers) or drops the span.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import replace

from propscope.model import Span

# A word: letters/digits, with inner apostrophes, hyphens and dots ("May’s",
# "anti-US", "U.S").  A span edge inside one of these is a sub-word cut.
_WORD = re.compile(r"[^\W_]+(?:['’\-.][^\W_]+)*")

# A sentence break: . ! ? (and closing quotes/brackets) then space and a capital or a
# digit, or any line break.  Not after an initial or a short abbreviation ("U.S.
# President", "Mr. Kim"), which PTC and KCNA both write often.
_BREAK = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]*[A-Z0-9])|\n")
_ABBREVIATION = re.compile(
    r"(?:\b[A-Z]\.|\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Gen|Col|Lt|Sgt|Prof|Rev|Gov|Sen|Rep|"
    r"No|vs|etc|Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec|Inc|Co|Corp|Ltd)\.)$"
)

# One-word spans that carry no technique by themselves: function words and degree
# adverbs (the learned models' fragments of a longer loaded phrase).
FUNCTION_WORDS = frozenset(
    """a an the and or but nor so yet if then than that this these those there here
    of to in on at by for with without from into onto upon over under about above
    below after before since until while as per via against among between through
    during within across around i me my we us our you your he him his she her it its
    they them their who whom whose which what when where why how is are was were be
    been being am do does did done have has had can could will would shall should may
    might must not no yes very quite rather too also just even really still only more
    most much many some any all such own same other another each both either neither
    again ever once""".split()  # noqa: SIM905
)

# Capitalised names of wars, organisations, events, places, titles: a span wholly
# inside one is a name, not a technique ("Fatherland Liberation War",
# "Anti-Imperialist National Democratic Front", "Korean People's Army").
_NAME_HEADS = frozenset(
    """war wars front party army committee association federation union league
    council movement organisation organization alliance society institute university
    academy day festival prize order medal hall museum square tower monument
    revolution corps youth guard assembly congress conference ministry agency
    university school station works complex company fleet brigade division""".split()  # noqa: SIM905
)
_CAP = r"[A-Z][\w’'-]*"
_NAME_RUN = re.compile(rf"{_CAP}(?:\s+(?:(?:of|the|and|for|in|on)\s+)*{_CAP})+")

# "under the leadership of X", "with the wise guidance of X" and nothing else: a
# statement of who leads, not an argument resting on an authority.
_LEADERSHIP_ONLY = re.compile(
    r"(?:and\s+)?(?:under|with|by)\s+the\s+(?:[\w-]+\s+){0,4}(?:leadership|guidance)\s+of"
    r"(?:\s+[\w’'.-]+){1,8}\W*", re.IGNORECASE,
)


def clean_spans(spans: Sequence[Span], text: str) -> list[Span]:
    """``spans`` with edges on word boundaries, each inside one sentence, and without
    the spans that hold no technique by themselves (see the module docstring).

    Order is kept; a span that two cleaned spans would repeat exactly (same edges and
    technique) is kept once."""
    names = _name_runs(text)
    out: list[Span] = []
    seen: set[tuple[int, int, str | None]] = set()
    for span in spans:
        edges = _snap(text, span.start, span.end)
        if edges is None:
            continue
        start, end = _one_sentence(text, *edges)
        if _empty_of_technique(text, start, end, span.technique, names):
            continue
        key = (start, end, span.technique)
        if key in seen:
            continue
        seen.add(key)
        out.append(span if (start, end) == (span.start, span.end)
                   else replace(span, start=start, end=end))
    return out


def _snap(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Edges moved to word boundaries: an edge inside a word takes the whole word when
    the span covers more than half of it, else leaves that word out."""
    start, end = max(0, start), min(len(text), end)
    if start >= end:
        return None
    first = _word_at(text, start)
    if first is not None and first[0] < start:
        a, b = first
        covered = min(b, end) - start
        start = a if covered * 2 > b - a else b
    last = _word_at(text, end - 1)
    if last is not None and last[1] > end and last[0] < end:
        a, b = last
        covered = end - max(a, start)
        end = b if covered * 2 > b - a else a
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _word_at(text: str, index: int) -> tuple[int, int] | None:
    """``(start, end)`` of the word holding character ``index``, if any."""
    if not (0 <= index < len(text)) or not text[index].isalnum():
        return None
    lo = max(0, index - 64)
    for match in _WORD.finditer(text, lo, min(len(text), index + 64)):
        if match.start() <= index < match.end():
            return match.span()
        if match.start() > index:
            break
    return None


def _one_sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The longest piece of ``[start, end)`` between sentence breaks."""
    pieces, at = [], start
    for match in _BREAK.finditer(text, start, end):
        if match.group() != "\n" and _ABBREVIATION.search(text, max(start, match.start() - 6),
                                                          match.start()):
            continue
        pieces.append((at, match.start()))
        at = match.end()
    if not pieces:
        return start, end
    pieces.append((at, end))
    best = max(pieces, key=lambda p: (_alnum_count(text, *p), -p[0]))
    a, b = best
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return (a, b) if a < b else (start, end)


def _alnum_count(text: str, start: int, end: int) -> int:
    return sum(ch.isalnum() for ch in text[start:end])


def _empty_of_technique(
    text: str, start: int, end: int, technique: str | None, names: list[tuple[int, int]]
) -> bool:
    """Whether ``[start, end)`` holds no technique by itself."""
    piece = text[start:end]
    if _alnum_count(text, start, end) < 2:  # '"', "S", "—"
        return True
    words = _WORD.findall(piece)
    if len(words) == 1 and words[0].lower() in FUNCTION_WORDS:
        return True
    if technique == "Appeal_to_Authority" and _LEADERSHIP_ONLY.fullmatch(piece):
        return True
    return _inside_name(names, start, end)


def _inside_name(names: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``[start, end)`` lies within one of ``names`` (sorted, disjoint): by
    bisection, since a crafted text can hold a name every few characters."""
    k = bisect_right(names, (start, sys.maxsize)) - 1  # the last name starting ≤ start
    return k >= 0 and names[k][0] <= start and end <= names[k][1]


def _name_runs(text: str) -> list[tuple[int, int]]:
    """Capitalised runs of two or more words with a head noun of a name (war, front,
    party, …): the names of wars, organisations and events."""
    runs = []
    for match in _NAME_RUN.finditer(text):
        words = [w.lower().strip("’'") for w in re.findall(r"[\w’'-]+", match.group())]
        if any(w in _NAME_HEADS for w in words):
            runs.append(match.span())
    return runs
