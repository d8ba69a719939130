"""Put back the spaces a scrape lost around names, keeping the offset map.

Why this exists: state-media sites set their leaders' names in bold or in links, with
the space outside the element or supplied by CSS; scraped, ``<b>Kim Jong Il</b>developed``
becomes "Kim Jong Ildeveloped" and "sent by<b>Kim Jong Un</b>to" becomes "sent byKim
Jong Unto".  Every tokeniser, lexicon and model downstream then sees words that do not
exist, so the repair runs before any of them.

Evidence, strongest first:

1. **Markup** (``hints``): offsets where an inline element (``<b>``, ``<a>`` …) began
   or ended in the HTML.  A space goes in where word characters touch across such a
   boundary and the joined token is not a word ("Ildeveloped" is not; "Word" from
   ``<b>W</b>ord`` and "unbelievable" from ``un<i>believ</i>able`` are).
2. **Names** (:class:`NameLexicon`): multi-word capitalised names known to stand alone
   — the three Kim leaders as seeds, plus names seen standalone in this document or,
   at least ``min_count`` times, in the corpus read so far.  Where such a name touches
   letters, the letters are split off when they are a word ("Comrade", "by", "met",
   "and") and the join is not itself a word.  Anchoring on the whole name is what
   keeps look-alikes whole: "unto", "uninvited", "Ilsan" and "Unification" are never
   preceded by "Kim Jong", so they are never candidates.  A name glued to a comma,
   semicolon, colon, "!" or "?" after a word gets its space back too.

A word is anything wordfreq's English list knows with a Zipf frequency of at least
:data:`MIN_ZIPF`.  Only spaces are inserted, never characters changed or removed, so
the :class:`~propscope.text.offsets.OffsetMap` returned is exact: every character of
the repaired text but the inserted spaces maps to itself in the input.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from propscope.text.offsets import MapBuilder, OffsetMap

SEED_NAMES: tuple[str, ...] = ("Kim Il Sung", "Kim Jong Il", "Kim Jong Un")
"""Names known before any text is read: the names most often fused on DPRK sites."""

MIN_ZIPF = 1.0
"""Zipf frequency from which a string counts as an English word (1 = about once per
hundred million words); "ilsan" is 1.49, "uninspected" 1.26, "sungand" 0."""

LEARNED_ZIPF = 3.0
"""A name learned from text (not a seed) is only split from a common word (Zipf 3,
about once per million words): a learned "name" may be a misspelt fragment."""

NAME_SUFFIXES = frozenset({"ism", "isms", "ist", "ists", "ite", "ites", "ian", "ians", "ia", "s"})
"""Letters that legitimately follow a name inside one word ("Kim Il Sungism")."""

# Capitalised words that open a run of capitals without being part of the name:
# titles and forms of address.  Sentence-initial function words come from wordfreq.
_TITLES = frozenset(
    [
        "comrade",
        "comrades",
        "president",
        "chairman",
        "secretary",
        "general",
        "generalissimo",
        "generalissimos",
        "marshal",
        "premier",
        "minister",
        "vice",
        "leader",
        "commander",
        "respected",
        "dear",
        "great",
        "supreme",
        "his",
        "her",
        "excellency",
        "mr",
        "mrs",
        "ms",
        "dr",
        "professor",
        "ambassador",
        "senator",
        "governor",
        "mayor",
        "chief",
        "deputy",
        "director",
        "prime",
        "king",
        "queen",
        "prince",
        "princess",
        "sir",
        "lady",
        "lord",
        "saint",
        "st",
    ]
)
_NAME_RUN = re.compile(r"(?<![\w'’])[A-Z][a-z]+(?: [A-Z][a-z]+){1,5}(?![\w'’])")
_CAPITAL = re.compile(r"[A-Z][a-z]*")
_GLUING_PUNCTUATION = frozenset(",;:!?")
"""Marks after which a name glued on lost its space ("the Assembly,Kim Jong Un").
Not the full stop: "U.S." and initials would be split."""


@functools.lru_cache(maxsize=65536)
def is_word(token: str) -> bool:
    """True when ``token`` (any case) is an English word by wordfreq's reckoning."""
    return zipf(token) >= MIN_ZIPF


@functools.lru_cache(maxsize=65536)
def zipf(token: str) -> float:
    """wordfreq's Zipf frequency of ``token`` in English (imported on first use: it
    loads a word list of a few MB)."""
    from wordfreq import zipf_frequency

    return float(zipf_frequency(token.lower(), "en"))


@functools.cache
def _stop_words() -> frozenset[str]:
    from wordfreq import top_n_list

    return frozenset(top_n_list("en", 500)) | _TITLES


def name_candidates(text: str) -> Counter[str]:
    """Capitalised runs of two to four words standing alone in ``text``, with titles
    and sentence-initial function words trimmed ("Comrade Kim Jong Un" → "Kim Jong Un")."""
    stop = _stop_words()
    found: Counter[str] = Counter()
    for match in _NAME_RUN.finditer(text):
        tokens = match.group().split(" ")
        while tokens and tokens[0].lower() in stop:
            tokens.pop(0)
        while tokens and tokens[-1].lower() in stop:
            tokens.pop()
        if 2 <= len(tokens) <= 4:
            found[" ".join(tokens)] += 1
    return found


class NameLexicon:
    """Names that may be split off their neighbours: seeds plus names learned from text.

    A learned name needs ``min_count`` standalone occurrences in the texts passed to
    :meth:`learn` (the corpus so far); a name standing alone in the document being
    repaired counts from its first occurrence there.  Names are indexed by their first
    word, so a lookup costs the same with ten names or a hundred thousand.
    """

    max_tracked = 500_000
    """Candidates counted at most; past it, those still under ``min_count`` are
    forgotten, so a million-page crawl keeps a bounded lexicon."""

    def __init__(self, seeds: Iterable[str] = SEED_NAMES, *, min_count: int = 2) -> None:
        self.seeds = frozenset(seeds)
        self.min_count = min_count
        self.counts: Counter[str] = Counter()
        self._index: dict[str, set[str]] = {}
        self._sorted: dict[str, list[str]] = {}
        for name in self.seeds:
            self._add(name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._index.get(name.split(" ", 1)[0], ())

    def _add(self, name: str) -> None:
        first = name.split(" ", 1)[0]
        self._index.setdefault(first, set()).add(name)
        self._sorted.pop(first, None)

    def sorted_group(self, first: str) -> list[str]:
        """Names starting with the word ``first``, longest first, glued ones kept."""
        if first not in self._sorted:
            self._sorted[first] = sorted(self._index.get(first, ()), key=len, reverse=True)
        return self._sorted[first]

    def learn(self, text: str | Counter[str]) -> None:
        """Count the standalone names of ``text`` (or of its :func:`name_candidates`);
        those reaching ``min_count`` join."""
        found = name_candidates(text) if isinstance(text, str) else text
        for name, n in found.items():
            before = self.counts[name]
            self.counts[name] = before + n
            if before < self.min_count <= before + n:
                self._add(name)
        if len(self.counts) > self.max_tracked:
            self.counts = Counter({k: v for k, v in self.counts.items() if v >= self.min_count})

    def learn_all(self, texts: Iterable[str]) -> NameLexicon:
        for text in texts:
            self.learn(text)
        return self

    def names(self) -> set[str]:
        """Every name known now (seeds and learned), glued look-alikes left out."""
        return {name for group in self._index.values() for name in group if not _glued(name, group)}

    def lookup(self, document: str | Counter[str]) -> _Lookup:
        """The names usable in ``document`` (its text, or its :func:`name_candidates`):
        the lexicon's and its own standalone ones."""
        local: dict[str, set[str]] = {}
        found = name_candidates(document) if isinstance(document, str) else document
        for name in found:
            local.setdefault(name.split(" ", 1)[0], set()).add(name)
        return _Lookup(self, local)


class _Lookup:
    """Names by first word for one document: the lexicon's and the document's own.

    Whether a name is a glued look-alike is checked only when it matches the text
    (a few times a document), not for every name of every group.
    """

    def __init__(self, lexicon: NameLexicon, local: dict[str, set[str]]) -> None:
        self.lexicon = lexicon
        self.local = local
        self.cache: dict[str, list[str]] = {}

    def candidates(self, first: str) -> list[str]:
        """Names starting with the word ``first``, longest first."""
        local = self.local.get(first)
        if not local:
            return self.lexicon.sorted_group(first)
        if first not in self.cache:
            group = self.lexicon._index.get(first, set()) | local
            self.cache[first] = sorted(group, key=len, reverse=True)
        return self.cache[first]

    def glued(self, name: str) -> bool:
        first = name.split(" ", 1)[0]
        return _glued(name, self.lexicon._index.get(first, set()) | self.local.get(first, set()))


def _glued(name: str, group: set[str]) -> bool:
    """True for a shorter name of ``group`` with letters glued on: "Kim Jong
    Ildeveloped" reads as a capitalised run too, and would shadow "Kim Jong Il".

    Checks each cut where a lower-case letter follows a letter (a set lookup each), so
    the cost is the name's length, not the group's size.
    """
    start = name.find(" ") + 2
    return any(
        name[i].islower() and name[i - 1].isalpha() and name[:i] in group
        for i in range(max(start, 2), len(name))
    )


@dataclass(frozen=True, slots=True)
class Repair:
    """One inserted space: ``offset`` into the input text, the fused ``token`` it split,
    and the ``rule`` with its evidence, so a reader can audit every repair."""

    offset: int
    token: str
    rule: str


@dataclass(frozen=True, slots=True)
class Repaired:
    text: str
    offset_map: OffsetMap
    """Maps the repaired text back to the input text."""
    repairs: tuple[Repair, ...]


def repair(
    text: str,
    *,
    lexicon: NameLexicon | None = None,
    hints: Iterable[int] = (),
    learn: bool = False,
) -> Repaired:
    """Insert the spaces lost around names and inline markup in ``text``.

    ``hints`` are offsets into ``text`` where an inline element began or ended in the
    HTML the text came from; ``lexicon`` supplies the names (seeds only when None);
    ``learn`` adds this text's standalone names to the lexicon first (corpus evidence
    for the documents after it).
    """
    found: dict[int, Repair] = {}
    for offset in sorted(set(hints)):
        fix = _markup_split(text, offset)
        if fix is not None:
            found.setdefault(offset, fix)
    lexicon = lexicon if lexicon is not None else NameLexicon()
    candidates = name_candidates(text)
    if learn:
        lexicon.learn(candidates)
    for fix in _name_splits(text, lexicon.lookup(candidates), lexicon.seeds):
        found.setdefault(fix.offset, fix)
    if not found:
        return Repaired(text, OffsetMap.identity(len(text)), ())
    builder = MapBuilder(text)
    for offset in sorted(found):
        builder.copy(offset)
        builder.replace(offset, " ")
    repaired, offset_map = builder.finish()
    return Repaired(repaired, offset_map, tuple(found[k] for k in sorted(found)))


def _token_around(text: str, offset: int) -> tuple[int, int]:
    start, end = offset, offset
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return start, end


def _markup_split(text: str, offset: int) -> Repair | None:
    if not 0 < offset < len(text):
        return None
    if not (text[offset - 1].isalnum() and text[offset].isalnum()):
        return None
    start, end = _token_around(text, offset)
    token = text[start:end]
    if is_word(token):
        return None
    return Repair(offset, token, f"markup: {text[start:offset]!r} | {text[offset:end]!r}")


def _occurrences(text: str, lookup: _Lookup) -> list[tuple[int, int, str]]:
    """Non-overlapping occurrences of the names ``lookup`` gives for each capitalised
    word, longest first, found even inside a longer token ("byKim Jong Unto")."""
    found: list[tuple[int, int, str]] = []
    pos = 0
    while (match := _CAPITAL.search(text, pos)) is not None:
        pos = match.end()
        for name in lookup.candidates(match.group()):
            if text.startswith(name, match.start()) and not lookup.glued(name):
                end = match.start() + len(name)
                found.append((match.start(), end, name))
                pos = end
                break
    return found


def _name_splits(text: str, lookup: _Lookup, seeds: frozenset[str]) -> list[Repair]:
    fixes: list[Repair] = []
    occurrences = _occurrences(text, lookup)
    for k, (start, end, name) in enumerate(occurrences):
        prev_end = occurrences[k - 1][1] if k else 0
        next_start = occurrences[k + 1][0] if k + 1 < len(occurrences) else len(text)
        if start > prev_end and text[start - 1].isalnum():
            left = _left_split(text, start, prev_end, name, name in seeds)
            if left is not None:
                fixes.append(left)
        elif start == prev_end and start > 0:
            fixes.append(Repair(start, text[occurrences[k - 1][0] : end], "names touch"))
        elif start >= 2 and text[start - 1] in _GLUING_PUNCTUATION and text[start - 2].isalnum():
            token = text[start - 2 : start] + name.split(" ", 1)[0]
            fixes.append(Repair(start, token, f"name {name!r} after {text[start - 1]!r}"))
        if end < next_start and text[end].isalnum():
            right = _right_split(text, end, next_start, name, name in seeds)
            if right is not None:
                fixes.append(right)
    return fixes


def _left_split(text: str, start: int, floor: int, name: str, seed: bool) -> Repair | None:
    begin = start
    while begin > floor and text[begin - 1].isalnum():
        begin -= 1
    before = text[begin:start]
    first = name.split(" ", 1)[0]
    if not seed and is_word(before + first):
        return None
    word = (
        before.isdigit()
        or is_word(before)
        or (before.endswith("s") and len(before) > 3 and is_word(before[:-1]))
    )
    if not word:
        return None
    return Repair(start, before + first, f"name {name!r} after the word {before!r}")


def _right_split(text: str, end: int, ceiling: int, name: str, seed: bool) -> Repair | None:
    stop = end + 1
    if text[end].isupper():  # a capitalised word glued on: "Kim Il SungUniversity"
        while stop < ceiling and text[stop].islower():
            stop += 1
    else:
        while stop < ceiling and text[stop].isalnum() and not text[stop].isupper():
            stop += 1
    after = text[end:stop]
    if len(after) < 2 or after.lower() in NAME_SUFFIXES or not after.isalpha():
        return None  # one letter is too little evidence: "Daneshman" + "d"
    if not is_word(after):
        return None
    last = name.rsplit(" ", 1)[-1]
    if not seed and (is_word(last + after) or zipf(after) < LEARNED_ZIPF):
        return None
    return Repair(end, last + after, f"name {name!r} before the word {after!r}")
