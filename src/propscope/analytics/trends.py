"""Trends and change points: monthly shares of texts, and where they shift.

A trend is the share of an outlet's texts in each month that carry an item (a leader
mentioned, a target attacked, a technique used, a slogan), so a month with twice the
stories does not look like twice the interest.  Change points come from ``ruptures``
(PELT, a least-squares cost on the share, ``min_size`` months a segment), with a
penalty from the series' own noise (:func:`penalty`), so a flat noisy series yields
none; each is reported with the month it starts, the mean share before and after,
and the texts of that month on that carry the item.

``ruptures`` is imported when change points are asked for; without it the trends are
still drawn and each says ``"change_points": []`` with ``meta.change_points`` telling
why.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from statistics import fmean, median
from typing import Any

from propscope.analytics.aggregate import trend_period
from propscope.analytics.db import Fact

MIN_SIZE = 2
"""Months a segment spans at least."""

PENALTY_FACTOR = 3.0
MAX_TEXTS = 20
"""Text ids listed per change point."""


def penalty(values: Sequence[float], volumes: Sequence[int] | None = None) -> float:
    """PELT's penalty: ``PENALTY_FACTOR · σ² · log n``.  With the months' volumes, σ² is
    the binomial noise of a share, ``p̄(1 − p̄) / n̄`` (p̄ the overall share, n̄ the
    harmonic mean of the volumes): a share from 30 texts wobbles more than one from
    3,000.  Without them it is estimated from the median absolute first difference
    (a level shift moves one difference, noise moves them all)."""
    n = len(values)
    if volumes:
        total = sum(volumes)
        share = sum(v * w for v, w in zip(values, volumes)) / total if total else 0.0
        harmonic = len(volumes) / sum(1 / max(w, 1) for w in volumes)
        variance = share * (1 - share) / harmonic
    else:
        diffs = [abs(b - a) for a, b in itertools.pairwise(values)]
        variance = (median(diffs) / (0.6745 * math.sqrt(2))) ** 2 if diffs else 0.0
    spread = max(values) - min(values) if values else 0.0
    variance = max(variance, (0.02 * spread) ** 2, 1e-12)
    return PENALTY_FACTOR * variance * math.log(max(n, 2))


def change_points(values: Sequence[float], volumes: Sequence[int] | None = None, *,
                  min_size: int = MIN_SIZE) -> list[int]:
    """Indices where a new segment of ``values`` starts (none for a short series)."""
    if len(values) < 2 * min_size + 1:
        return []
    import numpy as np
    import ruptures

    signal = np.asarray(values, dtype=float).reshape(-1, 1)
    algo = ruptures.Pelt(model="l2", min_size=min_size, jump=1).fit(signal)
    return [i for i in algo.predict(pen=penalty(values, volumes)) if i < len(values)]


def ruptures_available() -> bool:
    try:
        import ruptures  # noqa: F401
    except ImportError:
        return False
    return True


def series(
    carriers: dict[str, dict[str, list[int]]], volume: Counter[str], *, kind: str,
    names: dict[str, str] | None = None, with_changes: bool = True, prefix: str = "",
) -> list[dict[str, Any]]:
    """One trend per item of ``carriers`` (item -> month -> text ids carrying it)."""
    months = sorted(volume)
    out = []
    for item, by_month in carriers.items():
        counts = [len(set(by_month.get(m, ()))) for m in months]
        shares = [c / volume[m] for c, m in zip(counts, months)]
        found = []
        if with_changes and months:
            starts = [0, *change_points(shares, [volume[m] for m in months])]
            bounds = [*starts, len(months)]
            for k in range(1, len(starts)):
                before = shares[bounds[k - 1]:bounds[k]]
                after = shares[bounds[k]:bounds[k + 1]]
                texts = [t for m in months[bounds[k]:bounds[k + 1]]
                         for t in sorted(set(by_month.get(m, ())))][:MAX_TEXTS]
                found.append({"period": months[bounds[k]], "before": round(fmean(before), 4),
                              "after": round(fmean(after), 4),
                              "change": round(fmean(after) - fmean(before), 4),
                              "texts": texts})
        out.append({
            "name": f"{prefix}{kind}: {(names or {}).get(item, item)}",
            "kind": kind,
            "item": item,
            "count_by_month": dict(zip(months, counts)),
            "share_by_month": {m: round(s, 4) for m, s in zip(months, shares)},
            "change_points": found,
        })
    return out


def carriers_of(facts: Iterable[Fact], items: Any) -> dict[str, dict[str, list[int]]]:
    """item -> month -> text ids, where ``items(fact)`` names the items a text carries."""
    found: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for fact in facts:
        for item in set(items(fact)):
            found[item][trend_period(fact.published, fact.text_id)].append(fact.text_id)
    return found


def top(carriers: dict[str, dict[str, list[int]]], n: int) -> dict[str, dict[str, list[int]]]:
    """The ``n`` items carried by the most texts."""
    ranked = sorted(carriers, key=lambda k: -sum(len(v) for v in carriers[k].values()))
    return {k: carriers[k] for k in ranked[:n]}
