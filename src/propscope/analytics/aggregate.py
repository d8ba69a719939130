"""Aggregates of the per-text results: one pass over the stored rows, by month.

Each function takes the rows of one stage (see :class:`propscope.analytics.db.Fact`)
and returns plain dicts and lists, the JSON shape of the report, so the HTML page, the
JSON output and a caller's own code read the same thing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from statistics import fmean
from typing import Any

from propscope.analytics.db import Fact
from propscope.analytics.lexicon import Lexicon


def period(day: date | None) -> str:
    """The month a text belongs to ("2012-04"); "undated" without a date."""
    return f"{day.year:04d}-{day.month:02d}" if day else "undated"


UNDATED_BUCKET = 1000
"""Texts per period of an undated corpus (Tehran Times), in the order they were stored."""


def trend_period(day: date | None, text_id: int) -> str:
    """The period of a trend: the month, or for an undated text its place in the order
    of storing ("#0012000" = texts 12,000–12,999), so an archive without dates (read in
    publication order) still has trends.  These sort after every month."""
    return period(day) if day else f"#{text_id // UNDATED_BUCKET * UNDATED_BUCKET:07d}"


def leaders(facts: Iterable[Fact], lexicon: Lexicon) -> tuple[list[dict[str, Any]],
                                                              list[dict[str, Any]]]:
    """``(people, appearances)``: per person, mentions with titles and honorific
    intensity by month; every appearance found, oldest first."""
    mentions: Counter[str] = Counter()
    texts: Counter[str] = Counter()
    by_month: dict[str, Counter[str]] = defaultdict(Counter)
    intensity: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    titles: dict[str, Counter[str]] = defaultdict(Counter)
    honorifics: dict[str, Counter[str]] = defaultdict(Counter)
    first: dict[str, str] = {}
    appearances: list[dict[str, Any]] = []
    for fact in facts:
        month = period(fact.published)
        seen = set()
        for m in fact.data["mentions"]:
            who = m["person"]
            mentions[who] += 1
            by_month[who][month] += 1
            intensity[who][month].append(m["intensity"])
            if m["title"]:
                titles[who][m["title"]] += 1
            for h in m["honorifics"]:
                honorifics[who][h.lower()] += 1
            if who not in seen and fact.published:
                first.setdefault(who, fact.published.isoformat())
            seen.add(who)
        texts.update(seen)
        if fact.data.get("appearance"):
            who = lexicon.person_by_id(fact.data["appearance"]["person"])
            appearances.append({**fact.data["appearance"], "text_id": fact.text_id,
                                "outlet": fact.outlet, "name": who.name if who else None})
    people = []
    for who, n in mentions.most_common():
        person = lexicon.person_by_id(who)
        people.append({
            "id": who,
            "name": person.name if person else who,
            "mentions": n,
            "texts": texts[who],
            "first_seen": first.get(who),
            "by_month": dict(sorted(by_month[who].items())),
            "intensity_by_month": {k: round(fmean(v), 2)
                                   for k, v in sorted(intensity[who].items())},
            "titles": dict(titles[who].most_common(12)),
            "honorifics": dict(honorifics[who].most_common(12)),
        })
    appearances.sort(key=lambda a: (a["day"] or "", a["text_id"]))
    return people, appearances


def officials(appearances: list[dict[str, Any]], *, top: int = 40) -> list[dict[str, Any]]:
    """Per official named with a leader: how often, how high in the order (1 = first),
    by month, and whether they rose or fell (mean position in the first half of their
    appearances against the second half: negative = named earlier = rose)."""
    seen: dict[str, list[tuple[str, int]]] = defaultdict(list)
    titles: dict[str, Counter[str]] = defaultdict(Counter)
    for appearance in appearances:
        month = appearance["day"][:7] if appearance["day"] else "undated"
        for o in appearance["officials"]:
            if o["role"] != "accompanied":
                continue
            seen[o["name"]].append((month, o["position"]))
            if o["title"]:
                titles[o["name"]][o["title"]] += 1
    rows = []
    for name, items in sorted(seen.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:top]:
        months: dict[str, list[int]] = defaultdict(list)
        for month, position in items:
            months[month].append(position)
        half = len(items) // 2
        change = (round(fmean(p for _, p in items[half:]) - fmean(p for _, p in items[:half]), 2)
                  if half else 0.0)
        rows.append({
            "name": name,
            "appearances": len(items),
            "mean_position": round(fmean(p for _, p in items), 2),
            "best_position": min(p for _, p in items),
            "by_month": {m: {"count": len(ps), "mean_position": round(fmean(ps), 2)}
                         for m, ps in sorted(months.items())},
            "position_change": change,
            "title": titles[name].most_common(1)[0][0] if titles[name] else "",
        })
    return rows


def targets(facts: Iterable[Fact], *, labels: int = 10) -> list[dict[str, Any]]:
    """Per target: attacks, texts, labels used most, techniques, first seen, by month."""
    count: Counter[str] = Counter()
    texts: Counter[str] = Counter()
    label_count: dict[str, Counter[str]] = defaultdict(Counter)
    techniques: dict[str, Counter[str]] = defaultdict(Counter)
    by_month: dict[str, Counter[str]] = defaultdict(Counter)
    first: dict[str, tuple[str, int]] = {}
    for fact in facts:
        seen = set()
        for attack in fact.data["attacks"]:
            who = attack["target"]
            count[who] += 1
            label_count[who][attack["label"]] += 1
            techniques[who][attack["technique"]] += 1
            by_month[who][period(fact.published)] += 1
            seen.add(who)
            if fact.published and (who not in first
                                   or fact.published.isoformat() < first[who][0]):
                first[who] = (fact.published.isoformat(), fact.text_id)
        texts.update(seen)
    return [
        {
            "target": who,
            "attacks": n,
            "texts": texts[who],
            "first_seen": first.get(who, (None, None))[0],
            "first_text": first.get(who, (None, None))[1],
            "labels": dict(label_count[who].most_common(labels)),
            "techniques": dict(techniques[who].most_common()),
            "by_month": dict(sorted(by_month[who].items())),
        }
        for who, n in count.most_common()
    ]
