"""Mentions of leaders, each resolved to one person, with its title and honorific intensity.

A mention is either a name ("Kim Jong Un", also fused with a neighbour when a scrape
lost the space: "ComradeKim Jong Unvisited") or a title that names one person in its
period ("the respected General Secretary" in 2024).  For each one the words before it
(same sentence, back to the previous mention) and the apposition after it
(", general secretary of the Workers' Party of Korea and president of …") give:

- ``title``: the highest-ranked title of the lexicon found there ("Comrade" when only
  that), and every title found;
- ``honorifics`` and ``intensity``: the reverent words directly before the name
  ("dear respected Comrade" → dear, respected, Comrade → 3), each weighted by the
  lexicon, longest phrase first.

Names used for an institution ("Kim Il Sung University", "Kim Il Sung Square") and
ideologies ("Kim Il Sungism") are not mentions of the person.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from propscope.analytics.lexicon import Lexicon, Person

NAMED_AFTER = frozenset(
    [
        "University", "Square", "Stadium", "Street", "Bridge", "Park", "Order", "Prize",
        "Medal", "Youth", "Socialist", "Military", "Political", "Higher", "Mausoleum", "Palace",
        "Memorial", "Library", "Hospital", "College", "School", "Academy", "Station", "Theatre",
        "Theater", "Hall", "Mill", "Factory", "Complex", "Works", "Institute", "Revolutionary",
        "Kimilsungia", "Kimjongilia", "Flower", "Exhibition", "Award", "Foundation", "Plant",
        "Statue", "Museum", "Birthplace", "Nursery", "Kindergarten", "Hotel", "Textile", "Art",
        "Arts", "Song", "Songs", "Juche",
    ]
)
"""Capitalised words after a leader's name that make it the name of a thing."""

NAME_SUFFIXES = frozenset({"ism", "isms", "ist", "ists", "ite", "ites", "ian", "ians", "ia"})
"""Letters glued to a name that make another word ("Kim Il Sungism"), not a fusion."""

WINDOW = 120
"""Characters before a mention searched for its title and honorifics."""

APPOSITION = 240
"""Characters after a name searched for a title in apposition."""

_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*")
_SENTENCE_END = re.compile(r"[.!?]\s|\n")
_CLAUSE_VERB = re.compile(r",\s+(?:and\s+)?[a-z]+(?:ed|s)\b")


@dataclass(frozen=True, slots=True)
class Mention:
    """One reference to a person: ``[start, end)`` of the text, its title and reverence."""

    person: str  # Person.id
    start: int
    end: int
    surface: str
    kind: str  # "name" or "title"
    title: str | None
    titles: tuple[str, ...] = ()
    honorifics: tuple[str, ...] = ()
    intensity: int = 0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["titles"] = list(self.titles)
        data["honorifics"] = list(self.honorifics)
        return data


def _flexible(phrase: str) -> str:
    """A pattern for ``phrase`` that accepts any spacing or hyphen between its words."""
    return r"[\s\-]+".join(re.escape(w) for w in re.split(r"[\s\-]+", phrase.strip()))


@dataclass(slots=True)
class _Patterns:
    names: re.Pattern[str]
    title_refs: re.Pattern[str] | None
    titles_cs: re.Pattern[str] | None
    titles_ci: re.Pattern[str] | None
    honorifics: re.Pattern[str] | None
    zone_words: frozenset[str] = field(default_factory=frozenset)


def _alternation(phrases: Sequence[str]) -> str:
    return "|".join(_flexible(p) for p in sorted(set(phrases), key=len, reverse=True))


def _patterns(lexicon: Lexicon) -> _Patterns:
    cached = lexicon.cache.get("leaders")
    if cached is None:
        cached = lexicon.cache["leaders"] = _build(lexicon)
    return cached  # type: ignore[no-any-return]


def _build(lexicon: Lexicon) -> _Patterns:
    aliases = [a for p in lexicon.people for a in p.aliases]
    refs = [r.title for p in lexicon.people for r in p.title_refs]
    titles = list(lexicon.titles)
    honorifics = list(lexicon.honorifics)
    zone = {w.casefold() for phrase in [*titles, *honorifics] for w in _WORD.findall(phrase)}
    return _Patterns(
        names=re.compile(f"(?<![A-Z])({_alternation(aliases)})(?=([a-z]*))"),
        title_refs=re.compile(rf"\b({_alternation(refs)})\b") if refs else None,
        titles_cs=re.compile(rf"\b({_alternation(titles)})\b") if titles else None,
        titles_ci=re.compile(rf"\b({_alternation(titles)})\b", re.IGNORECASE) if titles else None,
        honorifics=re.compile(rf"(?<![A-Za-z])({_alternation(honorifics)})(?![a-z])", re.IGNORECASE)
        if honorifics else None,
        zone_words=frozenset(zone | {"the", "our", "his", "of"}),
    )


def find_mentions(text: str, lexicon: Lexicon, published: date | None = None) -> list[Mention]:
    """Every leader mention in ``text`` (a story published on ``published``), in order."""
    pats = _patterns(lexicon)
    named: list[tuple[int, int, Person]] = []
    for match in pats.names.finditer(text):
        start, end = match.span(1)
        glued = match.group(2)
        if glued in NAME_SUFFIXES:
            continue
        if not glued:
            following = _WORD.match(text, end + 1) if text[end:end + 1] == " " else None
            if following is not None and following.group() in NAMED_AFTER:
                continue
        person = lexicon.person(match.group(1))
        if person is not None:
            named.append((start, end, person))
    spans = list(named)
    if pats.title_refs is not None:
        spans.extend(_title_only(text, lexicon, pats, published, named))
    spans.sort(key=lambda item: item[0])
    mentions = []
    previous_end = 0
    for start, end, person in spans:
        kind = "name" if any(s == start for s, _, _ in named) else "title"
        mentions.append(_describe(text, lexicon, pats, start, end, person, kind, previous_end))
        previous_end = end
    return mentions


def _title_only(
    text: str, lexicon: Lexicon, pats: _Patterns, published: date | None,
    named: list[tuple[int, int, Person]],
) -> list[tuple[int, int, Person]]:
    """Titles that alone name a person: after an honorific (or ``bare``), not followed
    by "of" (someone else's office) or by a name (the name is the mention)."""
    assert pats.title_refs is not None
    found = []
    name_starts = [s for s, _, _ in named]
    for match in pats.title_refs.finditer(text):
        start, end = match.span(1)
        after = text[end:end + 40]
        if re.match(r"\s+of\b", after) or any(0 <= s - end <= 12 for s in name_starts):
            continue
        if any(s <= start < e for s, e, _ in named):
            continue
        before = text[max(0, start - 40):start]
        has_honorific = bool(pats.honorifics and re.search(
            rf"(?:{pats.honorifics.pattern})[\s\-]*$", before, re.IGNORECASE))
        key = re.sub(r"[\s\-]+", " ", match.group(1))
        for person in lexicon.people:
            ref = next((r for r in person.title_refs
                        if r.title == key and r.holds(published)), None)
            if ref is not None and (ref.bare or has_honorific):
                found.append((start, end, person))
                break
    return found


def _zone_start(text: str, start: int, words: frozenset[str], floor: int) -> int:
    """Where the run of honorific/title words directly before ``start`` begins."""
    zone_start = start
    for word in reversed(list(_WORD.finditer(text, floor, start))):
        gap = text[word.end():zone_start]
        if gap.strip() or word.group().casefold() not in words:
            break
        zone_start = word.start()
    return zone_start


def _describe(
    text: str, lexicon: Lexicon, pats: _Patterns, start: int, end: int, person: Person,
    kind: str, previous_end: int,
) -> Mention:
    floor = max(previous_end, start - WINDOW)
    sentence_breaks = list(_SENTENCE_END.finditer(text, floor, start))
    if sentence_breaks:
        floor = sentence_breaks[-1].end()
    zone_start = _zone_start(text, start, pats.zone_words, floor)
    found: list[tuple[int, int, str]] = []  # (rank, nearness, title)
    if pats.titles_cs is not None:
        for m in pats.titles_cs.finditer(text, floor, start):
            found.append((lexicon.titles.get(_canon(lexicon, m.group(1)), 0), m.end(),
                          _canon(lexicon, m.group(1))))
    if kind == "title":
        title = _canon(lexicon, text[start:end])
        found.append((lexicon.titles.get(title, 10), end, title))
    elif text[end:end + 1] == "," and pats.titles_ci is not None:
        limit = min(len(text), end + APPOSITION)
        stop = _SENTENCE_END.search(text, end, limit)
        verb = _CLAUSE_VERB.search(text, end + 1, stop.start() if stop else limit)
        apposition_end = min(x.start() for x in (stop, verb) if x) if (stop or verb) else limit
        for m in pats.titles_ci.finditer(text, end, apposition_end):
            canon = _canon(lexicon, m.group(1))
            found.append((lexicon.titles.get(canon, 0), -m.start(), canon))
    honorifics: list[str] = []
    if pats.honorifics is not None:
        honorifics = [m.group(1) for m in pats.honorifics.finditer(text, zone_start, start)]
    intensity = sum(lexicon.honorifics.get(re.sub(r"[\s\-]+", " ", h).casefold(),
                                           lexicon.honorifics.get(h.casefold(), 0))
                    for h in honorifics)
    found.sort(key=lambda item: (-item[0], -item[1]))
    titles = tuple(dict.fromkeys(t for _, _, t in found))
    return Mention(person.id, start, end, text[start:end], kind,
                   titles[0] if titles else None, titles, tuple(honorifics), intensity)


def _canon(lexicon: Lexicon, written: str) -> str:
    """The lexicon's spelling of a title written in any case or spacing."""
    key = re.sub(r"[\s\-]+", " ", written).casefold()
    for title in lexicon.titles:
        if re.sub(r"[\s\-]+", " ", title).casefold() == key:
            return title
    return re.sub(r"[\s\-]+", " ", written)
