"""SubstringCounter gives str.count's answer, for many needles, without a scan each."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from propscope.detect.fast import counting
from propscope.detect.fast.counting import SubstringCounter

_ALPHABET = st.sampled_from(["a", "b", " ", "ab", "aa", "é", "\U0001f600", "\ud800"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=80).map("".join),
       st.lists(st.lists(_ALPHABET, max_size=8).map("".join), max_size=60))
def test_counts_are_str_counts_with_and_without_the_index(text, needles) -> None:
    counter = SubstringCounter(text)
    counter.scans = counting.SCANS_BEFORE_INDEX  # use the index at once
    plain = SubstringCounter(text)
    for needle in needles + [text[i : i + 6] for i in range(0, len(text), 5)]:
        assert counter.count(needle) == text.count(needle), needle
        assert plain.count(needle) == text.count(needle), needle


def test_overlapping_occurrences_count_from_the_left_like_str_count() -> None:
    counter = SubstringCounter("aaaaaaaaa")
    counter.scans = counting.SCANS_BEFORE_INDEX
    assert counter.count("aaaa") == 2 == "aaaaaaaaa".count("aaaa")


def test_common_grams_fall_back_to_one_scan() -> None:
    text = "glorious " * 1_000
    counter = SubstringCounter(text)
    counter.scans = counting.SCANS_BEFORE_INDEX
    assert counter.count("glorious glorious") == text.count("glorious glorious")
    assert counter.scans == counting.SCANS_BEFORE_INDEX + 1


def test_many_distinct_needles_cost_no_scan_each() -> None:
    """80 000 spans a megabyte scanned the text once each (~2 s a MB)."""
    text = "".join(f"evil traitors {k} lie!\n" for k in range(40_000))  # ~900 KB
    counter = SubstringCounter(text)
    started = time.perf_counter()
    for k in range(0, 40_000, 2):
        assert counter.count(f"evil traitors {k} lie") == 1
    assert counter.scans <= counting.SCANS_BEFORE_INDEX + 100
    assert time.perf_counter() - started < 10  # ~1 s; a scan each took ~40 s
