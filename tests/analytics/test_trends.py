"""Change points on synthetic monthly shares with known breaks: found within ±1 month."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from propscope.analytics.trends import change_points, penalty, series

pytest.importorskip("ruptures")


def binomial_shares(levels: list[tuple[int, float]], volume: int, seed: int) -> list[float]:
    """Months of ``volume`` texts each, a share ``p`` for ``months`` months per level."""
    rng = random.Random(seed)
    out = []
    for months, p in levels:
        out += [sum(rng.random() < p for _ in range(volume)) / volume for _ in range(months)]
    return out


@pytest.mark.parametrize("seed", range(8))
def test_known_breaks_are_found_within_one_month(seed: int) -> None:
    shares = binomial_shares([(10, 0.05), (8, 0.25), (12, 0.10)], volume=200, seed=seed)
    found = change_points(shares, [200] * len(shares))
    assert len(found) == 2
    assert abs(found[0] - 10) <= 1 and abs(found[1] - 18) <= 1


@pytest.mark.parametrize("seed", range(8))
def test_a_flat_noisy_series_has_no_change(seed: int) -> None:
    shares = binomial_shares([(30, 0.2)], volume=100, seed=seed)
    assert change_points(shares, [100] * 30) == []


def test_short_series_and_penalty_follow_the_noise() -> None:
    assert change_points([0.1, 0.9, 0.1]) == []
    assert penalty([0.2] * 10, [10] * 10) > penalty([0.2] * 10, [1000] * 10)


def test_series_reports_shares_sizes_and_the_texts_that_carry_the_change() -> None:
    months = [f"2012-{m:02d}" for m in range(1, 13)]
    volume = Counter({m: 10 for m in months})
    carriers = {"kim-jong-un": {m: ([100 + i, 200 + i, 300 + i] if i >= 6 else [])
                                for i, m in enumerate(months)}}
    (trend,) = series(carriers, volume, kind="leader", names={"kim-jong-un": "Kim Jong Un"})
    assert trend["name"] == "leader: Kim Jong Un"
    assert trend["share_by_month"]["2012-07"] == pytest.approx(0.3)
    (change,) = trend["change_points"]
    assert change["period"] == "2012-07"
    assert (change["before"], change["after"]) == (0.0, pytest.approx(0.3))
    assert change["texts"][:3] == [106, 206, 306]
