"""Slogans and formulas: phrases that recur across texts far more than chance.

Per text (stage ``slogans``) the *candidate lines* are kept: exclamations ("Long live
the great Juche idea!"), calls ("Let us …", "Long live …"), quotations of four words or
more (KCNA's short quotations are mostly scare quotes: "government", "human rights")
and the detector's ``Slogans`` spans when the store has been analysed.  Aggregating
(one pass over the kept lines, linear in their size):

- every line and every word n-gram of :data:`NGRAMS` words inside one is a unit,
  counted once per text (document frequency); units seen in fewer than ``min_df``
  texts are dropped, and so is an n-gram inside a longer unit of the same frequency;
- ``score`` is a collocation score: the pointwise mutual information of the unit's
  words, per word, against their frequency in general English (wordfreq), from the
  unit's document frequency in the corpus — high when rare words keep appearing
  together, low for strings of common words;
- variants (same content words, other function words or order of honorifics) are
  grouped under the most frequent;
- proper names ("Korean People's Army", a song's title) are dropped, and units seen
  mostly (:data:`QUOTED`) inside quotation marks rank after the others: KCNA quotes
  mostly to sneer at a word ("policy toward the north") and shouts or calls its own
  slogans;
- ``new``: first seen in the period; ``rising``: at least :data:`RISE` times as
  frequent (per text) in the period as before it.

Why candidate lines and not every n-gram of every text: a per-text list of all
n-grams would cost more storage than the texts; slogans are where a text shouts,
calls or quotes, and that keeps the per-text result small.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from wordfreq import word_frequency

from propscope.analytics.aggregate import trend_period
from propscope.analytics.db import Fact, TextRow
from propscope.analytics.lexicon import Lexicon

NGRAMS = range(3, 9)
MAX_LINE_WORDS = 30
MAX_LINES = 40
RISE = 2.0
QUOTED = 0.2
"""A unit seen outside quotation marks in fewer than this share of its texts is a
quotation (``"quoted": true``)."""
VARIANT_RATIO = 1.5
"""An n-gram in at most this many times the texts of a longer unit holding it is
shown as that unit's variant."""
PERIOD_DAYS = 90
"""The period of "new" and "rising" when the report names no ``since``."""

_EXCLAIM = re.compile(r"[^.!?\n\"]{6,300}!")
_CALL = re.compile(
    r"(?:^|(?<=[.!?\"]\s)|(?<=\n))(?:Let us|Let's|Long live|Down with)\b[^.!?\n]{3,300}")
_QUOTE = re.compile(r"\"([^\"\n]{8,200})\"")
_TOKEN = re.compile(r"[a-z0-9_]+(?:['’][a-z]+)?")

STOPWORDS = frozenset(
    [
        "a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "by", "for", "with", "as",
        "from", "is", "are", "was", "were", "be", "been", "that", "this", "these", "those",
        "it", "its", "his", "her", "their", "our", "we", "us", "you", "they", "he", "she", "i",
        "all", "there", "no", "not", "will", "would", "can", "could", "shall", "should", "may",
        "must", "has", "have", "had", "do", "does", "did", "so", "if", "than", "then",
    ]
)


def candidate_lines(text: str, spans: Iterable[tuple[int, int, str | None]] = ()
                    ) -> list[list[str]]:
    """``[kind, line]`` of every candidate line of ``text`` (see the module doc)."""
    found: dict[str, str] = {}
    covered: list[tuple[int, int]] = []

    def keep(start: int, end: int, kind: str) -> None:
        if any(s <= start and end <= e for s, e in covered):
            return  # a call inside an exclamation already kept
        covered.append((start, end))
        found.setdefault(text[start:end].strip(), kind)

    for m in _EXCLAIM.finditer(text):
        keep(m.start(), m.end(), "exclaim")
    for m in _CALL.finditer(text):
        keep(m.start(), m.end(), "call")
    for m in _QUOTE.finditer(text):
        if len(m.group(1).split()) >= 4:
            keep(m.start(1), m.end(1), "quote")
    for start, end, technique in spans:
        if technique == "Slogans":  # a detector's span in quotation marks is a quotation
            quoted = text[start - 1:start] == '"' or text[end:end + 1] == '"' or (
                text[start:start + 1] == '"')
            keep(start, end, "quote" if quoted else "span")
    lines = [[kind, line] for line, kind in found.items()
             if 2 <= len(line.split()) <= MAX_LINE_WORDS]
    return lines[:MAX_LINES]


def extract(row: TextRow, lexicon: Lexicon) -> list[list[str]]:
    return candidate_lines(row.text, row.spans)


def _units(line: str, names: re.Pattern[str] | None, plain: frozenset[str]
           ) -> set[tuple[str, ...]]:
    """The line and its n-grams, names made one token ("kim_jong_il") so no n-gram
    cuts a name; a unit needs two words that are not names, titles or function words."""
    if names is not None:
        line = names.sub(lambda m: "_".join(m.group(1).lower().split()), line)
    words = tuple(_TOKEN.findall(line.lower().replace("’", "'")))
    grams = {words} if 2 <= len(words) else set()
    for n in NGRAMS:
        for i in range(len(words) - n + 1):
            gram = words[i:i + n]
            if gram[0] not in STOPWORDS and gram[-1] not in STOPWORDS:
                grams.add(gram)
    return {g for g in grams
            if sum(1 for w in g if w not in plain and "_" not in w) >= 2}


def _plain_words(lexicon: Lexicon) -> frozenset[str]:
    """Function words, titles and honorifics: words that alone make no slogan."""
    words = {w.lower() for phrase in (*lexicon.titles, *lexicon.honorifics)
             for w in re.findall(r"[A-Za-z]+", phrase)}
    return STOPWORDS | words


def _subgrams(unit: tuple[str, ...]) -> Iterable[tuple[str, ...]]:
    for n in range(len(unit) - 1, NGRAMS.start - 1, -1):
        for i in range(len(unit) - n + 1):
            yield unit[i:i + n]


CALLS = frozenset(["let", "long", "down", "glory", "forward", "hurrah", "death", "stop", "defend"])
"""First words of a call: a title-case call ("Let Us Hold …") is a slogan, not a name."""


def _is_name(unit: tuple[str, ...], line: str, names: re.Pattern[str] | None) -> bool:
    """Whether ``unit`` is written in ``line`` as a proper name ("Korean People's Army",
    "Status of Forces Agreement", a song's title): every content word capitalised and
    no call word first.  Names recur as much as slogans and are not slogans."""
    if unit[0] in CALLS:
        return False
    if names is not None:
        line = names.sub(lambda m: "_".join(m.group(1).split()), line)
    words = re.findall(r"[A-Za-z0-9_]+(?:['’][A-Za-z]+)?", line.replace("’", "'"))
    lowered = [w.lower() for w in words]
    n = len(unit)
    for i in range(len(words) - n + 1):
        if tuple(lowered[i:i + n]) == unit:
            content = [w for w in words[i:i + n]
                       if w.lower() not in STOPWORDS and "_" not in w and not w.isdigit()]
            return bool(content) and all(w[0].isupper() for w in content)
    return False


def _merge_overlaps(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Units found in exactly the same texts are pieces of one longer phrase ("defend
    with our very lives the party central", "let us defend with our very lives"): one
    row, headed by a call if there is one, else the longest, the rest its variants."""
    buckets: dict[frozenset[int], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        ids = frozenset(i for ids in row["text_ids_by_month"].values() for i in ids)
        buckets[ids].append(row)
    merged = []
    for same in buckets.values():
        same.sort(key=lambda r: (r["text"].split()[0] not in CALLS, -len(r["text"])))
        head = same[0]
        head["variants"] = [*head["variants"], *(r["text"] for r in same[1:])][:8]
        merged.append(head)
    return merged


def collocation(words: tuple[str, ...], df: int, texts: int) -> float:
    """Per-word PMI of ``words`` from their document frequency against independence
    in general English: ``(log10(df / texts) - Σ log10 p(w)) / n``."""
    logp = sum(math.log10(word_frequency(w, "en", minimum=1e-8)) for w in words)
    return round((math.log10(df / texts) - logp) / len(words), 3)


def aggregate(
    facts: Iterable[Fact], lexicon: Lexicon, *, since: date | None = None, min_df: int = 2,
    top: int = 30,
) -> dict[str, Any]:
    """``{"top", "new", "rising", "period_start", "texts"}`` from the ``slogans`` rows."""
    per_text: list[tuple[int, date | None, set[tuple[str, ...]], dict[tuple[str, ...], str]]] = []
    df: Counter[tuple[str, ...]] = Counter()
    latest: date | None = None
    called: Counter[tuple[str, ...]] = Counter()  # texts with the unit outside quotations
    from propscope.analytics.leaders import _patterns

    names, plain = _patterns(lexicon).names, _plain_words(lexicon)
    for fact in facts:
        units: set[tuple[str, ...]] = set()
        surface: dict[tuple[str, ...], str] = {}
        shouted: set[tuple[str, ...]] = set()
        for kind, line in fact.data:
            for unit in _units(line, names, plain):
                units.add(unit)
                surface.setdefault(unit, line)
                if kind != "quote":
                    shouted.add(unit)
        called.update(shouted)
        df.update(units)
        per_text.append((fact.text_id, fact.published, units, surface))
        if fact.published and (latest is None or fact.published > latest):
            latest = fact.published
    kept = {u for u, n in df.items() if n >= min_df}
    # A unit inside a longer one seen nearly as often is a variant of it, not a slogan
    # of its own ("let us make" inside "let us make redoubled efforts …").
    root: dict[tuple[str, ...], tuple[str, ...]] = {}
    for unit in sorted(kept, key=len, reverse=True):
        root.setdefault(unit, unit)
        for sub in _subgrams(unit):
            if sub in kept and sub not in root and df[sub] <= VARIANT_RATIO * df[unit]:
                root[sub] = root[unit]
    start = since or ((latest - timedelta(days=PERIOD_DAYS)) if latest else None)
    first: dict[tuple[str, ...], tuple[str, int]] = {}
    in_period: Counter[tuple[str, ...]] = Counter()
    months: dict[tuple[str, ...], dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    example: dict[tuple[str, ...], str] = {}
    texts_in, texts_before = 0, 0
    for text_id, day, units, surface in per_text:
        inside = start is not None and day is not None and day >= start
        texts_in += inside
        texts_before += not inside
        for unit in units & kept:
            key = (day.isoformat() if day else "9999", text_id)
            if unit not in first or key < first[unit]:
                first[unit] = key
            in_period[unit] += inside
            months[unit][trend_period(day, text_id)].append(text_id)
            example.setdefault(unit, surface[unit])
    total = max(len(per_text), 1)
    groups: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
    for unit in kept:  # same content words in another order or spelling: one group
        groups[tuple(sorted({w for w in root[unit] if w not in STOPWORDS}))].append(unit)
    rows = []
    for members in groups.values():
        members.sort(key=lambda u: (root[u] != u, -df[u], -len(u)))
        head = members[0]
        if _is_name(head, example[head], names):
            continue
        before = df[head] - in_period[head]
        rows.append({
            "text": " ".join(head),
            "example": example[head][:200],
            "texts": df[head],
            "score": collocation(head, df[head], total),
            "first_seen": first[head][0] if first[head][0] != "9999" else None,
            "first_text": first[head][1],
            "in_period": in_period[head],
            "rise": round((in_period[head] / max(texts_in, 1))
                          / ((before + 1) / max(texts_before, 1)), 2),
            "by_month": {m: len(ids) for m, ids in sorted(months[head].items())},
            "text_ids_by_month": dict(months[head]),  # for trends; the report drops it
            "variants": [" ".join(u) for u in members[1:6]],
            "quoted": called[head] < QUOTED * df[head],
        })
    rows = _merge_overlaps(rows)
    # Quoted-only units after the others: KCNA quotes mostly to sneer at a word
    # ("policy toward the north"), and shouts or calls its own slogans.
    rows.sort(key=lambda r: (r["quoted"], -r["texts"], -r["score"], r["text"]))
    period = start.isoformat() if start else None
    new = [r for r in rows if period and r["first_seen"] and r["first_seen"] >= period]
    rising = [r for r in rows if r["in_period"] >= 3 and r["rise"] >= RISE and r not in new]
    rising.sort(key=lambda r: (r["quoted"], -r["rise"], -r["in_period"]))
    return {"period_start": period, "texts": len(per_text), "top": rows[:top],
            "new": new[:top], "rising": rising[:top]}
