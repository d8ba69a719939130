"""How often each of many strings occurs in one text: ``str.count``, asked many times.

Both detectors count how often a span's text recurs in its document (the Repetition
cue).  ``text.count(needle)`` scans the whole text, so a document with a span every
few characters (a crafted page of short loaded lines: 80 000 spans a megabyte) paid
one scan per span.  :class:`SubstringCounter` answers the first few needles with
``str.count`` and then builds, once, a sorted index of the text's 4-character grams:
a needle's occurrences start where its rarest gram occurs, so it checks those few
places (``str.startswith``) instead of scanning.  A needle whose rarest gram is common
falls back to ``str.count``.  Either way the answer is ``str.count``'s: non-overlapping
occurrences, taken from the left.
"""

from __future__ import annotations

import numpy as np

GRAM = 4
SCANS_BEFORE_INDEX = 32  # a normal article asks a few dozen needles: no index
MAX_CANDIDATES = 64  # more places than this to check: one scan is cheaper


def _codes(text: str) -> np.ndarray:
    """A 64-bit code of each ``GRAM``-character window of ``text`` (equal windows get
    equal codes; unequal ones rarely collide, and every hit is checked anyway)."""
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if len(points) < GRAM:
        return np.zeros(0, dtype=np.uint64)
    codes = np.zeros(len(points) - GRAM + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(GRAM):
            codes = codes * np.uint64(0x110000) + points[k : len(points) - GRAM + 1 + k]
    return codes


class SubstringCounter:
    """``text.count(needle)`` for many needles, each counted once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.cache: dict[str, int] = {}
        self.scans = 0
        self._sorted: np.ndarray | None = None  # gram codes, sorted
        self._where: np.ndarray | None = None  # the text position of each

    def count(self, needle: str) -> int:
        found = self.cache.get(needle)
        if found is None:
            found = self.cache[needle] = self._count(needle)
        return found

    def _count(self, needle: str) -> int:
        if len(needle) < GRAM or self.scans < SCANS_BEFORE_INDEX:
            self.scans += 1
            return self.text.count(needle)
        if self._sorted is None:
            codes = _codes(self.text)
            self._where = np.argsort(codes, kind="stable")
            self._sorted = codes[self._where]
        assert self._where is not None
        grams = _codes(needle)
        lo = np.searchsorted(self._sorted, grams, side="left")
        hi = np.searchsorted(self._sorted, grams, side="right")
        j = int(np.argmin(hi - lo))  # the rarest gram of the needle, at offset j
        if hi[j] - lo[j] > MAX_CANDIDATES:
            self.scans += 1
            return self.text.count(needle)
        starts = sorted(
            p - j for p in self._where[lo[j] : hi[j]].tolist()
            if p >= j and self.text.startswith(needle, p - j)
        )
        count, free = 0, 0  # occurrences taken from the left, none overlapping
        for start in starts:
            if start >= free:
                count += 1
                free = start + len(needle)
        return count
