"""Targets of attack: whom each hostile span is aimed at, resolved to one canonical name.

For every span of :data:`ATTACK_TECHNIQUES` the target is, in this order (see
:func:`_resolve`): a lexicon target heading the span ("puppet traitors" → south
Korea; not one the label ties its bearer to, "a war stooge *of the U.S.*"); the
nearest named before the span in its sentence, else after it ("the U.S.
imperialists' *heinous* aggression" → the U.S.); the last named in the two sentences
before (the entity under discussion); and only then a generic target ("imperialists",
"enemies").  The span's words, lower-cased, are the *label* used on the target; a
span made only of words of praise (the lexicon's ``[attack] praise``) attacks no one.
An alias written with a capital letter matches in that case only, so "US" is the
United States and "us" is not.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from propscope.analytics.lexicon import Lexicon, Target
from propscope.text.segment import sentences

ATTACK_TECHNIQUES = frozenset(
    {"Name_Calling,Labeling", "Loaded_Language", "Appeal_to_fear-prejudice", "Doubt"}
)

CONTEXT_SENTENCES = 2
"""Sentences before a span searched when its own names no target."""

MAX_LABEL = 80
"""Characters of a span kept as its label (a Doubt span may be a whole sentence)."""


@dataclass(frozen=True, slots=True)
class Attack:
    target: str
    technique: str
    label: str
    start: int  # the span
    end: int
    where: str  # "span" or "sentence"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _patterns(lexicon: Lexicon) -> list[tuple[re.Pattern[str], Target]]:
    cached = lexicon.cache.get("targets")
    if cached is None:
        cached = []
        for target in lexicon.targets:
            exact = [a for a in target.aliases if a != a.lower()]
            folded = [a for a in target.aliases if a == a.lower()]
            for aliases, flags in ((exact, 0), (folded, re.IGNORECASE)):
                if not aliases:
                    continue
                body = "|".join(re.escape(a) for a in sorted(aliases, key=len, reverse=True))
                stop = "".join(rf"(?!\s+{re.escape(w)}\b)" for w in target.not_before)
                cached.append((re.compile(rf"(?<![\w.\-])(?:{body})(?![\w]){stop}", flags),
                               target))
        lexicon.cache["targets"] = cached
    return cached  # type: ignore[return-value]


def target_mentions(text: str, lexicon: Lexicon) -> list[tuple[int, int, Target]]:
    """Every target alias in ``text``: ``(start, end, target)`` in order."""
    found = [(m.start(), m.end(), target)
             for pattern, target in _patterns(lexicon) for m in pattern.finditer(text)]
    found.sort(key=lambda item: (item[0], -item[1]))
    return found


def find_attacks(
    text: str, spans: Sequence[tuple[int, int, str | None]], lexicon: Lexicon,
) -> list[Attack]:
    """The target of each attack span of ``spans`` (``(start, end, technique)``)."""
    wanted = [s for s in spans if s[2] in ATTACK_TECHNIQUES]
    if not wanted:
        return []
    mentions = target_mentions(text, lexicon)
    if not mentions:
        return []
    bounds = sentences(text) or [(0, len(text))]
    starts = [s for s, _ in bounds]
    attacks = []
    for start, end, technique in wanted:
        assert technique is not None
        label = re.sub(r"\s+", " ", text[start:end]).strip().lower()[:MAX_LABEL]
        if _is_praise(label, lexicon):
            continue
        i = max(bisect.bisect_right(starts, start) - 1, 0)
        found = _resolve(text, mentions, start, end, bounds, i)
        if found is not None:
            attacks.append(Attack(found[0].name, technique, label, start, end, found[1]))
    return attacks


def _resolve(
    text: str, mentions: list[tuple[int, int, Target]], start: int, end: int,
    bounds: list[tuple[int, int]], i: int,
) -> tuple[Target, str] | None:
    """The target of ``[start, end)`` and where it was found, in this order: a named
    target heading the span; the nearest named one before it in its sentence (the
    subject comes first), else after it; the last named one of the
    :data:`CONTEXT_SENTENCES` sentences before (the entity under discussion: "It is
    still going on the rampage"); a generic one in the span, else in the sentence."""
    # Overlapping, not only inside: the span "puppet" of "the puppet army".
    inside = [m for m in mentions if m[0] < end and start < m[1]]
    heads = [m for m in inside if not m[2].generic and not _complement(text, start, m)]
    if heads:
        return heads[0][2], "span"
    s_start, s_end = bounds[i]
    sentence = [m for m in mentions if s_start <= m[0] and m[1] <= max(s_end, end)
                and not (m[0] < end and start < m[1]) and not m[2].generic]
    before = [m for m in sentence if m[1] <= start]
    if before:
        return before[-1][2], "sentence"
    after = [m for m in sentence if not _TOWARDS.search(text, end, m[0])]
    if after:
        return after[0][2], "sentence"
    floor = bounds[max(i - CONTEXT_SENTENCES, 0)][0]
    earlier = [m for m in mentions if floor <= m[0] and m[1] <= s_start and not m[2].generic]
    if earlier:
        return earlier[-1][2], "context"
    generic = [m for m in inside if m[2].generic] or [
        m for m in mentions if s_start <= m[0] and m[1] <= max(s_end, end) and m[2].generic]
    if generic:
        return min(generic, key=lambda m: _gap(m, start, end))[2], "generic"
    return None


def _complement(text: str, start: int, mention: tuple[int, int, Target]) -> bool:
    """A target named after "of", "pro-", "for", "with" or "by" inside a span is whom
    the label ties its bearer to ("a war stooge of the U.S."), not the bearer."""
    return bool(_LINKING.search(text, start, mention[0]))


_TOWARDS = re.compile(r"\b(?:to|towards?|with)\b", re.IGNORECASE)
"""Between a span and a target after it: the target is whom the bearer serves ("the
traitors selling the interests of the people to the U.S."), not the bearer."""

_LINKING = re.compile(r"\b(?:of|for|with|by|to)\s|\bpro-", re.IGNORECASE)


def _gap(mention: tuple[int, int, Target], start: int, end: int) -> int:
    return max(0, mention[0] - end, start - mention[1])


def _is_praise(label: str, lexicon: Lexicon) -> bool:
    """A loaded word of praise ("heroic", "invincible") attacks no one."""
    words = re.findall(r"[a-z][a-z\-']*", label)
    return bool(words) and all(w in lexicon.praise or w in _FILLER for w in words)


_FILLER = frozenset({"the", "a", "an", "and", "of", "our", "its", "their", "most", "very", "s"})
