"""A small hand-written lexicon of propaganda wording, and patterns built on it.

Why it exists: the PTC is 371 Western news articles, so a model trained on it alone
has rarely seen the register of state media ("immortal achievements", "imperialist
reactionaries", "Thanks to him, …").  These lists are propscope's own, written for
that register; they serve twice:

* as *features* (``lex=eulogy`` …) for both learned models, which learn from the PTC
  how much to trust each list; and
* as a *pattern component* merged with the learned spans: each pattern proposes a span
  with a technique and an evidence string a reader can check (``"lexicon: eulogy"``).
  A learned span of the same technique that overlaps wins; the merge is measured on
  the dev split (see ``docs/semeval-and-detectors.md``).

Entries are lowercase; patterns run on the normalised text, case-insensitively unless
a capital letter matters (names).
"""

from __future__ import annotations

import heapq
import itertools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from propscope.model import Span

# Word lists, by the kind of cue they give.  These are *features* of the trained
# models: changing them changes what a shipped model sees, so retrain after an edit.
# The patterns below are not features and can grow freely.
WORDS: dict[str, frozenset[str]] = {
    # praise beyond measure, typical of leader cults and victory reports
    "eulogy": frozenset(
        """immortal undying everlasting eternal ever-victorious invincible indomitable
        glorious brilliant brilliantly heroic sagacious peerless matchless unrivalled
        unparalleled unprecedented heyday exploits feats illustrious tireless
        benevolent wise beloved revered legendary magnificent splendid""".split()  # noqa: SIM905
    ),
    # labels for enemies
    "enemy": frozenset(
        """imperialist imperialists reactionaries reactionary puppet puppets traitor
        traitors warmonger warmongers warmongering lackey lackeys stooge stooges
        henchmen aggressor aggressors fascist fascists thugs bandits renegades
        tyrant tyrants despot regime villains""".split()  # noqa: SIM905
    ),
    # strong feeling words
    "emotive": frozenset(
        """outrageous shocking disgusting horrific horrendous evil vicious brutal savage
        barbaric heinous despicable monstrous sinister treacherous vile appalling
        atrocious disgraceful shameful ruthless wicked diabolical hysterical
        catastrophic disastrous devastating""".split()  # noqa: SIM905
    ),
    # absolutes and superlatives
    "absolute": frozenset(
        """absolute absolutely totally entirely completely never always every everyone
        nobody nothing greatest worst biggest ultimate unlimited infinite utterly
        undoubtedly certainly""".split()  # noqa: SIM905
    ),
    # the nation and loyalty to it
    "nation": frozenset(
        """motherland fatherland homeland patriotism patriotic patriots patriot nation
        national nations' sovereignty dignity compatriots""".split()  # noqa: SIM905
    ),
    # fear and threat
    "fear": frozenset(
        """threat threats threaten danger dangerous destroy destruction invasion invade
        deadly lethal annihilate annihilation doom collapse chaos terror terrorist
        terrorists nuclear war""".split()  # noqa: SIM905
    ),
    # distancing and suspicion
    "doubt": frozenset(
        """so-called alleged allegedly supposedly purported purportedly claims claimed
        dubious questionable""".split()  # noqa: SIM905
    ),
}

_TAGS: dict[str, tuple[str, ...]] = {}
for _tag, _words in WORDS.items():
    for _word in _words:
        _TAGS[_word] = _TAGS.get(_word, ()) + (_tag,)


@lru_cache(maxsize=100_000)
def lexicon_tags(lower: str) -> tuple[str, ...]:
    """The lexicon lists a lowercase word belongs to (often none)."""
    return _TAGS.get(lower, ())


@dataclass(frozen=True, slots=True)
class Pattern:
    triggers: tuple[str, ...]  # lowercase strings one of which any hit must contain
    regex: re.Pattern[str]
    technique: str
    evidence: str
    score: float


def _p(
    triggers: str, expr: str, technique: str, evidence: str, score: float,
    flags: int = re.IGNORECASE,
) -> Pattern:
    return Pattern(tuple(triggers.split("|")), re.compile(expr, flags), technique, evidence,
                   score)


_EULOGY_ADJ = r"(?:immortal|undying|everlasting|eternal|unprecedented|matchless|peerless)"

# Order matters: earlier patterns claim their text first, later ones only fill gaps.
# The triggers let a text skip a pattern with one substring search: most news holds
# none of them, and a regular expression with optional words is slow to rule out.
PATTERNS: tuple[Pattern, ...] = (
    _p("thanks to", r"\bthanks to (?:him|her|them|(?:his|her|their|the) (?:[\w-]+ ){0,3}"
       r"(?:leadership|guidance|care|efforts?))\b,?[^.!?\n]*",
       "Causal_Oversimplification", "pattern: all credit to the leader", 0.7),
    _p("final victory", r"\b(?:for |toward |towards )?(?:the )?final victory\b", "Slogans",
       "pattern: victory slogan", 0.65),
    _p("long live", r"\blong live\b[^.!?\n]*", "Slogans", "pattern: 'long live' slogan",
       0.8),
    _p("forward to", r"\bforward to\b[^.!?\n,]*", "Slogans", "pattern: 'forward to' slogan",
       0.6),
    _p("imperialist", r"\b(?:US |U\.S\. )?imperialist (?:reactionaries|aggressors|"
       r"warmongers|puppets|lackeys|forces|enemies)\b", "Name_Calling,Labeling",
       "lexicon: enemy label", 0.75),
    _p("imperialists", r"\b(?:(?:U\.S\.|US|American|Japanese|Western)(?:-led)? )?"
       r"imperialists\b", "Name_Calling,Labeling", "lexicon: enemy label", 0.65),
    _p("puppet|traitor|warmonger|lackey|stooge|reactionaries|renegade",
       r"\b(?:puppet|traitors?|warmongers?|lackeys?|stooges?|reactionaries|renegades?)\b",
       "Name_Calling,Labeling", "lexicon: enemy label", 0.6),
    _p("immortal|undying|everlasting|eternal|unprecedented|matchless|peerless",
       _EULOGY_ADJ + r" (?:achievements?|exploits?|feats?|cause|contributions?|"
       r"victor(?:y|ies)|glory|merits?)\b", "Exaggeration,Minimisation",
       "lexicon: eulogy", 0.7),
    _p("invincible",
       r"\binvincible (?:[\w-]+ ){0,2}(?:power|army|force|might|fortress|state)\b",
       "Exaggeration,Minimisation", "lexicon: eulogy", 0.7),
    # before the single eulogy phrases below: it holds them ("… with brilliant exploits")
    _p("adorn|embellish", r"\b(?:adorn|embellish)(?:s|ed|ing)?\b[^.!?\n]{0,60}?\bwith "
       r"(?:[\w-]+ )?(?:victor(?:y|ies)|glory|exploits|feats)(?: and (?:victor(?:y|ies)|glory|"
       r"exploits|feats))?\b", "Exaggeration,Minimisation", "lexicon: eulogy", 0.6),
    _p("wisdom|leadership|guidance|exploits|feats",
       r"\b(?:extraordinary|outstanding|distinguished|tireless|energetic|wise|seasoned|"
       r"sagacious|brilliant|peerless|unparalleled) (?:wisdom|leadership|guidance|"
       r"exploits|feats)\b", "Loaded_Language", "lexicon: eulogy", 0.6),
    _p("respected comrade|dear respected|great leader",
       r"\b(?:dear )?respected comrade\b|\bgreat leader\b|\bdear respected\b"
       r"(?-i:(?: (?:General Secretary|Marshal|Supreme Leader) ?)?"
       r"(?: ?Kim(?: [A-Z][a-z]+){1,2})?)",
       "Loaded_Language", "lexicon: honorific", 0.55),
    _p("father of", r"\b(?:(?:great|dear|benevolent|loving|tender-hearted|kind-hearted) )+"
       r"father of (?:the |all )?(?:[\w-]+ ){0,2}(?:nation|people|country|Koreans?|Korea)\b",
       "Loaded_Language", "lexicon: honorific", 0.55),
    _p("sacred", r"\bsacred (?:war|cause|struggle|duty|mission|land)\b", "Flag-Waving",
       "lexicon: nation", 0.6),
    _p("absolute", r"\babsolute (?:trust|support|loyalty|devotion|confidence)\b",
       "Exaggeration,Minimisation", "lexicon: absolute", 0.6),
    # the eulogy register: formulaic praise of a history, an era, a leader's care
    _p("heyday", r"\b(?:(?:bring|brings|brought|bringing) about |usher(?:s|ed|ing)? in |"
       r"open(?:s|ed|ing)? up |greet(?:s|ed|ing)? )?(?:a |the )?(?:(?:new|great|greatest|"
       r"golden|overall|grand|unprecedented) )*heyday\b", "Exaggeration,Minimisation",
       "lexicon: eulogy", 0.6),
    _p("road of", r"\b(?:along|on) the (?:[\w-]+ ){0,2}road of (?:victory|victories|glory|"
       r"prosperity)\b", "Loaded_Language", "lexicon: eulogy", 0.55),
    _p("laughter", r"\b(?:(?:filled with|full of|overflowing with|brimming with|"
       r"resound(?:s|ed|ing)? with) (?:the )?(?:(?:happy|merry|cheerful|joyful) )?"
       r"(?-i:l)aughter(?: of (?:the )?[\w-]+)?|(?:happy|merry|cheerful|joyful) "
       r"(?-i:l)aughter(?: of (?:the )?[\w-]+)?)", "Loaded_Language", "lexicon: eulogy", 0.55),
    # case-sensitive after the optional lead-in: "Fatherly Love" is a song's title
    _p("care|love|solicitude", r"\b(?i:(?:(?:deeply |greatly )?moved by )?(?:the |his |her |"
       r"their )?)(?:(?:warm|loving|benevolent|paternal|fatherly|motherly|tender|"
       r"boundless|deep|noble)[ -]){1,3}(?:care|love|solicitude|affection)\b",
       "Loaded_Language", "lexicon: eulogy", 0.55, 0),
    _p("no other|no choice|no alternative|the only",
       r"\b(?:no other (?:choice|option|alternative|way)|no (?:choice|alternative) but|"
       r"the only (?:choice|option|alternative|way out|way|solution))\b"
       r"(?:[^.!?\n,;]|(?<=[A-Z])\.){0,80}",  # on to the clause's end, past "U.S."
       "Black-and-White_Fallacy", "pattern: no other choice", 0.5),
    _p("ever-victorious|indomitable|invincible|sagacious|peerless|matchless|immortal|"
       "undying|glorious|illustrious|heroic",
       r"\b(?:ever-victorious|indomitable|invincible|sagacious|peerless|matchless|"
       r"immortal|undying|glorious|illustrious|heroic)\b",
       "Loaded_Language", "lexicon: eulogy", 0.6),
    # not "Fatherland Liberation War": a capitalised word after it makes it a name
    _p("patriotism|motherland|fatherland",
       r"\b(?:patriotism|motherland|fatherland)\b(?!(?-i: [A-Z]))",
       "Flag-Waving", "lexicon: nation", 0.55),
)


def merge_pattern_spans(spans: Sequence[Span], text: str, detector: str) -> list[Span]:
    """``spans`` plus the pattern hits that no span of the same technique overlaps.

    Shared by every learned detector: PTC (US news, 2017-19) teaches a model little
    about state-media eulogies, so the patterns add what a reader of KCNA expects to
    see flagged, and stay out of the way where the model already found the span."""
    by_technique: dict[str | None, list[tuple[int, int]]] = {}
    for s in spans:
        by_technique.setdefault(s.technique, []).append((s.start, s.end))
    covers = {technique: Intervals(pairs) for technique, pairs in by_technique.items()}
    out = list(spans)
    for start, end, technique, score, evidence in lexicon_spans(text):
        cover = covers.get(technique)
        if cover is None or not cover.overlaps(start, end):
            out.append(Span(start, end, technique, score, detector, evidence))
    return out


def add_untyped_pattern_spans(spans: Sequence[Span], text: str, detector: str) -> list[Span]:
    """For span identification alone (SemEval SI): pattern hits that no span overlaps."""
    cover = Intervals([(s.start, s.end) for s in spans])
    out = list(spans)
    for start, end, _, score, evidence in lexicon_spans(text):
        if not cover.overlaps(start, end):
            out.append(Span(start, end, None, score, detector, evidence))
    return out


class Intervals:
    """A fixed set of ``[start, end)`` intervals (they may overlap one another) that
    answers "does any overlap ``[a, b)``?" in O(log n).

    Why: comparing each pattern hit with every span was quadratic, and a crafted text
    (a megabyte of "glorious ") has a hit every few characters.  Sorted by start, the
    intervals with ``start < b`` are a prefix; one of them overlaps ``[a, b)`` exactly
    when the largest end in that prefix passes ``a``."""

    def __init__(self, pairs: Sequence[tuple[int, int]]) -> None:
        ordered = sorted(pairs)
        self.starts = [a for a, _ in ordered]
        self.max_end = list(itertools.accumulate((b for _, b in ordered), max))

    def overlaps(self, start: int, end: int) -> bool:
        k = bisect_left(self.starts, end)  # intervals [0, k) start before ``end``
        return k > 0 and self.max_end[k - 1] > start


def lexicon_spans(text: str) -> list[tuple[int, int, str, float, str]]:
    """``(start, end, technique, score, evidence)`` for each pattern hit in ``text``;
    a later pattern's hit is dropped where an earlier one already covers any of it.

    The hits kept so far never overlap one another, and one pattern's hits come in
    order and never overlap each other, so each pattern checks its hits against the
    hits of the earlier patterns alone, by bisection: O(h log h) for h hits."""
    taken: list[tuple[int, int]] = []  # sorted, disjoint: ends are sorted too
    found: list[tuple[int, int, str, float, str]] = []
    lowered = text.lower()
    for pattern in PATTERNS:
        if not any(trigger in lowered for trigger in pattern.triggers):
            continue
        ends = [b for _, b in taken]
        kept: list[tuple[int, int]] = []
        for match in pattern.regex.finditer(text):
            start, end = match.span()
            while end > start and not text[end - 1].isalnum():
                end -= 1
            if end <= start:
                continue
            k = bisect_right(ends, start)  # the first earlier hit that ends after start
            if k < len(taken) and taken[k][0] < end:
                continue
            kept.append((start, end))
            evidence = f"{pattern.evidence}: '{text[start:end][:40]}'"
            found.append((start, end, pattern.technique, pattern.score, evidence))
        taken = list(heapq.merge(taken, kept))
    return sorted(found)
