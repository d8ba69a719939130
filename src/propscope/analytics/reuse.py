"""Talking points that travel: passages reused word for word, or nearly, across texts.

Per text (stage ``reuse``) each *passage* — consecutive sentences of one paragraph
gathered until they hold :data:`MIN_WORDS` words — gets a MinHash of its word
4-grams (datasketch, :data:`NUM_PERM` 32-bit values, kept base64-encoded: about 170
characters a passage).  Aggregating, the signatures are banded (locality-sensitive
hashing: :data:`BANDS` bands of :data:`ROWS` values, so pairs at an estimated Jaccard
near 0.6 or more usually share a band) and every bucket joins its members to its
first when their estimated similarity reaches :data:`THRESHOLD`: a union-find over
buckets, linear in the passages, with no comparison of all pairs.

A group of passages spread over two texts or more is a reused passage; the copy in
the earliest text (by date, then id) is its first appearance, and each other copy has
its lag in days.  When a copy's text shares most of its passages with the first text
(:data:`SAME_STORY`), it is the same story filed again (KCNA's habit of one story under
several sections), reported apart from passages reused in different stories.
"""

from __future__ import annotations

import base64
import functools
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

import numpy as np

from propscope.analytics.db import Fact, FactTable, TextRow
from propscope.analytics.lexicon import Lexicon
from propscope.text.segment import sentences

NUM_PERM = 32
BANDS, ROWS = 8, 4
THRESHOLD = 0.6
MIN_WORDS = 20
SHINGLE = 4
SEED = 7
SAME_STORY = 0.5
"""Share of a text's passages found in the first text above which it is the same story
(more than half: two stories sharing one of two passages are two stories)."""
_WORD = re.compile(r"\w+")


@functools.cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32").permutations


def signature(passage: str) -> np.ndarray | None:
    """MinHash values (uint32) of the passage's word 4-grams; ``None`` when too short."""
    words = _WORD.findall(passage.lower())
    if len(words) < SHINGLE:
        return None
    from datasketch import MinHash

    grams = {" ".join(words[i:i + SHINGLE]).encode() for i in range(len(words) - SHINGLE + 1)}
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32", hashfunc=zlib.crc32,
                      permutations=_permutations())
    minhash.update_batch(list(grams))
    return np.asarray(minhash.hashvalues, dtype=np.uint32)


def passages(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each passage: sentences of one paragraph gathered until
    they hold :data:`MIN_WORDS` words (a shorter paragraph end is dropped)."""
    found = []
    start: int | None = None
    words = 0
    for s, e in sentences(text):
        if start is not None and text.find("\n", start, s) != -1:
            start, words = None, 0  # a new paragraph: a short rest is not a passage
        if start is None:
            start = s
        words += len(_WORD.findall(text, s, e))
        if words >= MIN_WORDS:
            found.append((start, e))
            start, words = None, 0
    return found


def extract(row: TextRow, lexicon: Lexicon) -> list[list[Any]]:
    out = []
    for start, end in passages(row.text):
        values = signature(row.text[start:end])
        if values is not None:
            out.append([start, end, base64.b64encode(values.tobytes()).decode("ascii")])
    return out


class _Groups:
    """Union-find over passage numbers."""

    def __init__(self) -> None:
        self.parent: list[int] = []

    def add(self) -> int:
        self.parent.append(len(self.parent))
        return len(self.parent) - 1

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def aggregate(facts: Iterable[Fact], table: FactTable | None = None, *, top: int = 20
              ) -> list[dict[str, Any]]:
    """Reused passages, most widely reused first, those of different stories first."""
    where: list[tuple[int, date | None, int, int]] = []  # passage -> text, day, span
    sigs: list[np.ndarray] = []
    per_text: Counter[int] = Counter()
    groups = _Groups()
    buckets: dict[tuple[int, bytes], int] = {}
    for fact in facts:
        for start, end, encoded in fact.data:
            values = np.frombuffer(base64.b64decode(encoded), dtype=np.uint32)
            if len(values) != NUM_PERM:
                continue  # written by another version: skipped, not misread
            number = groups.add()
            where.append((fact.text_id, fact.published, start, end))
            sigs.append(values)
            per_text[fact.text_id] += 1
            for band in range(BANDS):
                key = (band, values[band * ROWS:(band + 1) * ROWS].tobytes())
                first = buckets.setdefault(key, number)
                if first != number and float(np.mean(sigs[first] == values)) >= THRESHOLD:
                    groups.union(first, number)
    members: dict[int, list[int]] = defaultdict(list)
    for number in range(len(where)):
        members[groups.find(number)].append(number)
    clusters = [m for m in members.values() if len({where[i][0] for i in m}) >= 2]
    shared: Counter[tuple[int, int]] = Counter()
    for cluster in clusters:
        texts = sorted({where[i][0] for i in cluster})
        for other in texts[1:]:
            shared[(texts[0], other)] += 1
    rows = [_describe(c, where, per_text, shared) for c in clusters]
    rows.sort(key=lambda r: (r["kind"] != "reused", -r["copies"], r["first"]["day"] or ""))
    rows = rows[:top]
    if table is not None:
        for row in rows:
            text = table.text(row["first"]["text_id"]) or ""
            row["passage"] = text[row["first"]["start"]:row["first"]["end"]]
    return rows


def _describe(cluster: list[int], where: list[tuple[int, date | None, int, int]],
              per_text: Counter[int], shared: Counter[tuple[int, int]]) -> dict[str, Any]:
    copies = sorted(cluster, key=lambda i: (where[i][1] or date.max, where[i][0]))
    first_text, first_day, start, end = where[copies[0]]
    seen, at = {first_text}, []
    for i in copies[1:]:
        text_id, day, s, e = where[i]
        if text_id in seen:
            continue
        seen.add(text_id)
        lag = (day - first_day).days if day and first_day else None
        at.append({"text_id": text_id, "day": day.isoformat() if day else None, "lag_days": lag,
                   "start": s, "end": e})
    same = all(
        shared[(min(first_text, c["text_id"]), max(first_text, c["text_id"]))]
        > SAME_STORY * min(per_text[first_text], per_text[c["text_id"]])
        for c in at)
    lags = [c["lag_days"] for c in at if c["lag_days"] is not None]
    return {
        "kind": "same story" if same else "reused",
        "copies": len(at) + 1,
        "first": {"text_id": first_text, "day": first_day.isoformat() if first_day else None,
                  "start": start, "end": end},
        "copies_at": at,
        "max_lag_days": max(lags) if lags else None,
        "passage": "",
    }
