"""Targets of attack: whom each hostile span is aimed at, resolved to one canonical name.

For every span of :data:`ATTACK_TECHNIQUES` the target is a lexicon target named in
the span itself ("puppet traitors" → south Korea) or, failing that, the one named
nearest to the span in its sentence ("the U.S. imperialists' *heinous* aggression" →
the U.S.).  A generic target ("imperialists", "enemies") is chosen only when no named
one is in reach.  The span's words, lower-cased, are the *label* used on the target.
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

REACH = 80
"""Characters between a span and a target named outside it, at most, in its sentence."""

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
            for aliases, flags in ((exact, 0), (folded, re.I)):
                if aliases:
                    body = "|".join(re.escape(a) for a in sorted(aliases, key=len, reverse=True))
                    cached.append((re.compile(rf"(?<![\w.\-])(?:{body})(?![\w])", flags), target))
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
    bounds = sentences(text)
    starts = [s for s, _ in bounds]
    attacks = []
    for start, end, technique in wanted:
        assert technique is not None
        inside = [m for m in mentions if start <= m[0] and m[1] <= end]
        where = "span"
        if all(m[2].generic for m in inside):  # "warmongers" of whom? look around
            i = bisect.bisect_right(starts, start) - 1
            s_start, s_end = bounds[i] if i >= 0 else (0, len(text))
            around = [m for m in mentions if s_start <= m[0] and m[1] <= max(s_end, end)
                      and _gap(m, start, end) <= REACH and not m[2].generic]
            if around or not inside:
                inside = around or [m for m in mentions if s_start <= m[0]
                                    and m[1] <= max(s_end, end) and _gap(m, start, end) <= REACH]
                where = "sentence"
        chosen = _best(inside, near=(start, end))
        if chosen is None:
            continue
        label = re.sub(r"\s+", " ", text[start:end]).strip().lower()[:MAX_LABEL]
        if _is_praise(label, lexicon):
            continue
        attacks.append(Attack(chosen.name, technique, label, start, end, where))
    return attacks


def _best(
    candidates: list[tuple[int, int, Target]], near: tuple[int, int] | None = None,
) -> Target | None:
    """The named target nearest the span, else the nearest generic one."""
    if not candidates:
        return None

    def distance(item: tuple[int, int, Target]) -> int:
        return 0 if near is None else _gap(item, *near)

    named = [c for c in candidates if not c[2].generic]
    pool = named or candidates
    return min(pool, key=lambda c: (distance(c), c[0]))[2]


def _gap(mention: tuple[int, int, Target], start: int, end: int) -> int:
    return max(0, mention[0] - end, start - mention[1])


def _is_praise(label: str, lexicon: Lexicon) -> bool:
    """A loaded word of praise ("heroic", "invincible") attacks no one."""
    words = re.findall(r"[a-z][a-z\-']*", label)
    return bool(words) and all(w in lexicon.praise or w in _FILLER for w in words)


_FILLER = frozenset({"the", "a", "an", "and", "of", "our", "its", "their", "most", "very", "s"})
